"""Widget layer: ipywidgets panels built on the core. The only package that imports ipywidgets.

Panels hold no rules: they read widget values (untrusted), call the core, and render the result.
"""

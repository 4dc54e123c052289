"""Voilà settings that need code (the rest are in voila.json beside this file).

Preheated pages: Voilà keeps a pool of kernels per page that have already run the page's
notebook (imports, library, case store, widgets) and wait for a request; the request's own
part (``?lang=``, ``?case=``) is applied when it comes (``playbook.ui.app.PreparedPage``).
``make serve`` serves notebooks/pages/, a folder holding only the staff and lessons pages
(anything else answers 404); ``make train`` serves the training page alone. The root address
of a folder is the landing page (the playbook template's tree-lab.html), never a file listing.

``PLAYBOOK_POOL`` sets each page's pool, e.g. ``staff=2,lessons=1`` (``make serve``;
``make train``: ``training=1``; without it, as in the tests, ``DEFAULT_POOL``); a page not
named, or ``=0``, gets no pool (each visitor's kernel starts when they ask).
"""

import os

from playbook.ui.landing import FILL_DELAY_S, landing_hook, pool_sizes

DEFAULT_POOL = "staff=2,lessons=1,training=1"

c = get_config()  # noqa: F821 - traitlets config
c.VoilaConfiguration.preheat_kernel = True
pools = os.environ.get("PLAYBOOK_POOL", DEFAULT_POOL)
c.VoilaKernelManager.kernel_pools_config = pool_sizes(pools)
c.VoilaKernelManager.fill_delay = FILL_DELAY_S  # not at once: see playbook.ui.landing
c.VoilaConfiguration.page_config_hook = landing_hook
# The contents API of the served folder lists nothing (the landing page lists the pages).
c.ContentsManager.hide_globs = ["*"]

/* The staff page's own script (vanilla, no network but this server's own API).
 *
 * starting(texts): a bilingual "starting…" notice until the app widget (.pb-app) is on screen;
 *   if the page arrived without its widget, it says so and offers a reload.
 * The kernel watch: every kernel websocket the page opens is watched, and the server is asked
 *   every 5 s whether it still has the kernel. When the kernel restarts or dies (status message),
 *   or its socket closes or the server no longer knows it (shut down, culled) or cannot be reached,
 *   a banner says the connection was lost, in the page's language, and links to the same case
 *   (?case=<id>) where it was saved. Language, case id and texts come from .pb-page-state, which
 *   the kernel side keeps up to date. The unsaved choice (a radio picked but not yet sent with
 *   Next) is named.
 */
(function () {
  "use strict";
  var LOST_STATES = ["restarting", "autorestarting", "dead"];
  var WIDGET_MIME = "application/vnd.jupyter.widget-view+json";
  var sockets = [];
  var lostShown = false;
  var startedOnce = false;
  var POLL_MS = 5000;
  var pollTimer = null;
  var pollFailures = 0;
  var served = null; // whether the page arrived with its widget (null: not yet known)
  var choice = null; // {text, step}: the last radio the visitor picked at step `step`

  function notice(cls) {
    var box = document.createElement("div");
    box.className = "pb-notice " + cls;
    box.setAttribute("role", "alert");
    document.body.insertBefore(box, document.body.firstChild);
    return box;
  }

  function line(box, text, href) {
    var p = document.createElement("p");
    var node = p;
    if (href) {
      node = document.createElement("a");
      node.href = href;
      p.appendChild(node);
    }
    node.textContent = text;
    box.appendChild(p);
    return node;
  }

  function servedWidget() {
    var outputs = document.querySelectorAll(
      'script[type="application/vnd.voila.cell-output+json"]'
    );
    for (var i = 0; i < outputs.length; i++) {
      if (outputs[i].textContent.indexOf(WIDGET_MIME) >= 0) return true;
    }
    return false;
  }

  function starting(texts) {
    // Called from the page head: wait for the body, then show the notice (once per page).
    if (startedOnce) return;
    startedOnce = true;
    var wait = setInterval(function () {
      if (document.body) {
        clearInterval(wait);
        watchStart(texts);
      }
    }, 20);
  }

  function markMain() {
    // Voilà's content panel is the page's main landmark (screen readers jump to it; axe-core's
    // "region" rule wants all content inside a landmark).
    var content = document.getElementById("jp-main-content-panel");
    if (content && !content.getAttribute("role")) content.setAttribute("role", "main");
  }

  function watchStart(texts) {
    var box = notice("pb-boot");
    line(box, texts.starting.join(" / "));
    var timer = setInterval(function () {
      markMain();
      if (document.querySelector(".pb-app")) {
        clearInterval(timer);
        box.remove();
      } else if (served === false) {
        clearInterval(timer);
        box.className = "pb-notice pb-boot-failed pb-notice-error";
        box.textContent = "";
        line(box, texts.failed.join(" / "));
        line(box, texts.reload.join(" / "), window.location.href);
      }
    }, 250);
  }

  // Voilà calls window.voila_finish() once the whole page has arrived, before its own script
  // turns the outputs into widgets: the moment to see whether the widget was served.
  var finish = null;
  Object.defineProperty(window, "voila_finish", {
    configurable: true,
    get: function () { return finish; },
    set: function (fn) {
      finish = function () {
        served = servedWidget();
        return fn.apply(this, arguments);
      };
    }
  });

  function config() {
    var el = document.getElementById("jupyter-config-data");
    try {
      return el ? JSON.parse(el.textContent) : null;
    } catch (err) {
      return null;
    }
  }

  function fill(template, key, value) {
    return (template || "").split("{" + key + "}").join(value);
  }

  function stepTitle() {
    var title = document.querySelector(".pb-step h2");
    return title ? title.textContent : "";
  }

  function showLost() {
    if (lostShown) return;
    var state = document.querySelector(".pb-page-state [data-lang]");
    if (!state) return; // the page never started: the starting notice speaks instead
    lostShown = true;
    var d = state.dataset;
    var box = notice("pb-lost pb-notice-error");
    box.setAttribute("lang", d.lang);
    line(box, d.lost);
    line(box, d.saved);
    var here = window.location.pathname;
    var lang = "lang=" + encodeURIComponent(d.lang);
    if (d.case) {
      line(box, fill(d.reopen, "case", d.case), here + "?case=" + encodeURIComponent(d.case) +
        "&" + lang).className = "pb-reopen";
    } else {
      line(box, d.reload, here + "?" + lang).className = "pb-reopen";
      var typed = document.querySelectorAll(".pb-facts input, .pb-facts textarea");
      for (var i = 0; i < typed.length; i++) {
        if (typed[i].value) {
          line(box, d.unsavedFacts).className = "pb-unsaved";
          break;
        }
      }
    }
    var picked = document.querySelector(".pb-options input:checked");
    if (choice && picked && choice.step === stepTitle()) {
      line(box, fill(d.unsavedChoice, "choice", choice.text)).className = "pb-unsaved";
    }
    document.body.classList.add("pb-kernel-lost");
  }

  function decode(data) {
    // A kernel message as {type, content}: JSON text frames, or the binary v1 protocol
    // (offset count, offsets, then channel, header, parent header, metadata, content).
    try {
      if (typeof data === "string") {
        var msg = JSON.parse(data);
        return { type: msg.header && msg.header.msg_type, content: msg.content };
      }
      if (data instanceof ArrayBuffer) {
        var view = new DataView(data);
        var offsets = [];
        for (var i = 1; i <= view.getUint32(0, true); i++) offsets.push(view.getUint32(8 * i, true));
        var part = function (n) {
          return JSON.parse(new TextDecoder().decode(
            new Uint8Array(data, offsets[n], offsets[n + 1] - offsets[n])));
        };
        var header = part(1);
        return { type: header.msg_type, content: header.msg_type === "status" ? part(4) : null };
      }
    } catch (err) {
      return null;
    }
    return null;
  }

  function checkKernel(attempt) {
    // A socket closed: lost if the server no longer knows the kernel or cannot be reached,
    // or if no socket reopened within a few tries (the page reconnects on its own).
    var conf = config();
    if (!conf || !conf.kernelId) return;
    if (sockets.some(function (ws) { return ws.readyState === WebSocket.OPEN; })) return;
    fetch(conf.baseUrl + "api/kernels/" + conf.kernelId, { cache: "no-store" }).then(
      function (resp) {
        if (resp.status === 404 || attempt >= 5) showLost();
        else setTimeout(function () { checkKernel(attempt + 1); }, 2000);
      },
      showLost
    );
  }

  function poll() {
    // A kernel shut down by the server (idle culling) says nothing on its socket: ask.
    var conf = config();
    if (lostShown || !conf || !conf.kernelId) return;
    fetch(conf.baseUrl + "api/kernels/" + conf.kernelId, { cache: "no-store" }).then(
      function (resp) {
        pollFailures = 0;
        if (resp.status === 404) showLost();
      },
      function () {
        pollFailures += 1;
        if (pollFailures >= 2) showLost();
      }
    );
  }

  function watch(ws) {
    if (!pollTimer) pollTimer = setInterval(poll, POLL_MS);
    sockets.push(ws);
    ws.addEventListener("message", function (event) {
      var msg = decode(event.data);
      if (msg && msg.type === "status" && msg.content &&
          LOST_STATES.indexOf(msg.content.execution_state) >= 0) {
        showLost();
      }
    });
    ws.addEventListener("close", function () {
      setTimeout(function () { checkKernel(0); }, 1000);
    });
  }

  var NativeSocket = window.WebSocket;
  function WatchedSocket(url, protocols) {
    var ws = protocols === undefined ? new NativeSocket(url) : new NativeSocket(url, protocols);
    if (/\/api\/kernels\/[^/]+\/channels/.test(String(url))) watch(ws);
    return ws;
  }
  WatchedSocket.prototype = NativeSocket.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (name) {
    WatchedSocket[name] = NativeSocket[name];
  });
  window.WebSocket = WatchedSocket;

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "radio" && input.closest(".pb-options") && input.checked) {
      var label = input.closest("label");
      choice = { text: (label ? label.textContent : input.value).trim(), step: stepTitle() };
    }
  }, true);

  window.pbPage = { starting: starting, showLost: showLost };
})();

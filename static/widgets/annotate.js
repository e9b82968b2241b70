/*! Backtalk annotation widget v1 (greatfeedback). Plain JS, no dependencies.
 *
 * <script src="https://YOUR-BACKTALK/widget/annotate.js" data-site="<site id>"
 *   data-token="<widget token>" data-stakeholder="gfst_... (optional)"></script>
 *
 * "Annotate" switches to picking: hover outlines an element, a click picks it; or, with the
 * keyboard, Arrow Down/Up (or Tab/Shift+Tab) walk the page's visible elements in document
 * order, Arrow Left goes to the parent, Arrow Right to the first child, Enter picks, and
 * Escape cancels. A form then asks for the comment. The widget records a selector, the
 * element, its computed styles, the viewport and a screenshot of the visible viewport (the
 * screenshot module is loaded from <script origin>/widget/vendor/ only when sending), and
 * keeps {id, secret} in localStorage so "My notes" can show the thread and the team's
 * replies later. Renders inside a Shadow DOM; never writes HTML from strings.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) {
    var found = document.querySelectorAll("script[data-site][data-token]");
    script = found[found.length - 1];
  }
  if (!script || script.getAttribute("data-backtalk-ready")) return;
  script.setAttribute("data-backtalk-ready", "1");

  var site = (script.getAttribute("data-site") || "").trim();
  var token = (script.getAttribute("data-token") || "").trim();
  if (!site || !token) {
    if (window.console) console.warn("Backtalk annotate: data-site and data-token are required.");
    return;
  }
  var base = new URL(script.src, location.href).origin;
  var api = base + "/api/widget/sites/" + encodeURIComponent(site) + "/";
  var SHOT_MODULE = base + "/widget/vendor/modern-screenshot-4.7.0.mjs";
  var STORE = "backtalk-annotate:" + site;
  var STAKE = "backtalk-annotate-stakeholder:" + site;
  var KINDS = [["comment", "Comment"], ["bug", "Bug"], ["idea", "Idea"],
    ["copy", "Copy / wording"], ["design", "Design"]];
  var STYLE_KEYS = ["color", "background-color", "font-family", "font-size", "font-weight",
    "line-height", "padding", "margin", "border", "display", "position", "opacity", "z-index",
    "outline", "cursor"];
  var STATUS = { new: "New", acknowledged: "Acknowledged", in_progress: "In progress",
    resolved: "Resolved", wont_fix: "Won't fix", duplicate: "Duplicate", archived: "Archived" };
  var uid = "gfa" + Math.random().toString(36).slice(2, 8);

  var SHEET =
    ":host{all:initial}" +
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
    ".bar{position:fixed;right:20px;bottom:20px;z-index:2147483001;display:flex;gap:8px;" +
    "font-size:14px;line-height:1.4;color:#111827}" +
    "button{font-size:14px;cursor:pointer;border-radius:8px}" +
    ".main{background:#4338ca;color:#fff;border:0;border-radius:999px;padding:10px 18px;" +
    "font-weight:600;box-shadow:0 4px 14px rgba(0,0,0,.2)}" +
    ".main[aria-pressed=true]{background:#b91c1c}" +
    ".sub{background:#fff;color:#312e81;border:1px solid #c7d2fe;border-radius:999px;" +
    "padding:9px 14px;box-shadow:0 4px 14px rgba(0,0,0,.12)}" +
    "button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible" +
    "{outline:3px solid #6366f1;outline-offset:2px}" +
    ".box{position:fixed;z-index:2147483000;pointer-events:none;border:2px solid #6366f1;" +
    "background:rgba(99,102,241,.12);border-radius:2px}" +
    ".hint{position:fixed;left:50%;top:12px;transform:translateX(-50%);z-index:2147483001;" +
    "background:#111827;color:#fff;font-size:13px;padding:8px 12px;border-radius:8px;" +
    "max-width:calc(100vw - 24px)}" +
    ".panel{position:fixed;right:20px;bottom:72px;z-index:2147483001;width:360px;" +
    "max-width:calc(100vw - 40px);max-height:calc(100vh - 100px);overflow:auto;background:#fff;" +
    "color:#111827;font-size:14px;line-height:1.4;border:1px solid #e5e7eb;border-radius:12px;" +
    "padding:16px;box-shadow:0 12px 32px rgba(0,0,0,.22)}" +
    "[hidden]{display:none!important}" +
    ".head{display:flex;justify-content:space-between;align-items:center;margin-bottom:8px}" +
    "h2{margin:0;font-size:16px;font-weight:700}" +
    ".x{background:none;border:0;font-size:22px;line-height:1;color:#4b5563;padding:2px 6px}" +
    ".picked{margin:0 0 4px;font-size:12px;color:#4b5563;overflow-wrap:anywhere}" +
    "label{display:block;font-weight:600;margin:10px 0 4px;font-size:13px}" +
    "label.check{display:flex;gap:8px;align-items:center;font-weight:400}" +
    "input,select,textarea{width:100%;font-size:14px;padding:8px;border:1px solid #d1d5db;" +
    "border-radius:8px;background:#fff;color:#111827}" +
    "input[type=checkbox]{width:auto}" +
    "textarea{min-height:100px;resize:vertical}" +
    "[aria-invalid=true]{border-color:#b91c1c}" +
    ".msg{min-height:1em;margin:10px 0 0;font-size:13px}.msg.error{color:#b91c1c}" +
    ".row{display:flex;gap:8px;margin-top:12px}.row button{flex:1;padding:10px;font-weight:600}" +
    ".send{background:#4338ca;color:#fff;border:0}.send[disabled]{opacity:.6;cursor:progress}" +
    ".cancel{background:#fff;color:#111827;border:1px solid #d1d5db}" +
    "ol{list-style:none;margin:0;padding:0}li.note{border-top:1px solid #e5e7eb;padding:8px 0}" +
    ".status{display:inline-block;font-size:12px;font-weight:600;background:#eef2ff;" +
    "color:#3730a3;border-radius:999px;padding:1px 8px}" +
    ".body{margin:4px 0;white-space:pre-wrap;overflow-wrap:anywhere}" +
    "ul{margin:4px 0 0;padding:0 0 0 12px;border-left:3px solid #e5e7eb;list-style:none}" +
    "ul li{margin:4px 0;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".who{font-weight:600;font-size:12px;color:#374151}";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
      if (key === "text") node.textContent = attrs[key];
      else if (key === "hidden") node.hidden = !!attrs[key];
      else node.setAttribute(key, attrs[key]);
    }
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  // --- Storage (never fatal: private modes and sandboxed frames may refuse it) ----------
  function load(storage, key, fallback) {
    try {
      var raw = storage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }
  function save(storage, key, value) {
    try {
      storage.setItem(key, JSON.stringify(value));
    } catch (e) { /* not stored: the thread simply cannot be listed later */ }
  }
  function pageKey(url) {
    var u = new URL(url, location.href);
    return u.origin + u.pathname + u.search;
  }

  // --- Stakeholder link ------------------------------------------------------------------
  var fragment = /(?:^#|&)gf-stakeholder=([^&]+)/.exec(location.hash);
  var stakeholderToken = (script.getAttribute("data-stakeholder") || "").trim();
  if (fragment) {
    stakeholderToken = decodeURIComponent(fragment[1]);
    save(sessionStorage, STAKE, stakeholderToken);
  } else if (!stakeholderToken) {
    stakeholderToken = load(sessionStorage, STAKE, "") || "";
  }
  var stakeholder = null; // {name, auto_fix_default} once the link is confirmed

  function call(path, body, extraHeaders) {
    var headers = { "Content-Type": "application/json", "X-GF-Widget-Token": token };
    for (var k in extraHeaders || {}) headers[k] = extraHeaders[k];
    return fetch(api + path, {
      method: "POST", mode: "cors", credentials: "omit", headers: headers,
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, data: data, headers: response.headers };
      });
    });
  }

  // --- Host element and shadow root --------------------------------------------------------
  var host = document.createElement("backtalk-annotate");
  // Inline !important beats any host-page rule aimed at our element.
  host.style.cssText =
    "display:block!important;position:static!important;margin:0!important;" +
    "padding:0!important;border:0!important;width:0!important;height:0!important";
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", { text: SHEET }));

  var mainButton = el("button", { type: "button", class: "main", "aria-pressed": "false",
    text: "Annotate" });
  var notesButton = el("button", { type: "button", class: "sub", "aria-haspopup": "dialog",
    hidden: true, text: "My notes" });
  var bar = el("div", { class: "bar" }, [notesButton, mainButton]);
  var box = el("div", { class: "box", hidden: true });
  var hint = el("div", { class: "hint", role: "status", "aria-live": "polite", hidden: true });

  // The form.
  var kindSelect = el("select", { id: uid + "-kind", name: "kind" });
  KINDS.forEach(function (k) { kindSelect.appendChild(el("option", { value: k[0], text: k[1] })); });
  var picked = el("p", { class: "picked", id: uid + "-picked" });
  var bodyInput = el("textarea", { id: uid + "-body", name: "body", maxlength: "10000",
    required: "", "aria-required": "true", "aria-describedby": uid + "-msg" });
  var emailInput = el("input", { id: uid + "-email", name: "email", type: "email",
    maxlength: "254", autocomplete: "email" });
  var emailField = el("div", null, [
    el("label", { for: uid + "-email", text: "Your email (optional, for replies)" }), emailInput]);
  var autoFix = el("input", { id: uid + "-autofix", type: "checkbox", name: "auto_fix" });
  var autoFixField = el("label", { class: "check", hidden: true }, [autoFix,
    document.createTextNode("Let an agent fix this automatically")]);
  var message = el("p", { id: uid + "-msg", class: "msg", role: "status", "aria-live": "polite" });
  var sendButton = el("button", { type: "submit", class: "send", text: "Send" });
  var cancelButton = el("button", { type: "button", class: "cancel", text: "Cancel" });
  var formClose = el("button", { type: "button", class: "x", "aria-label": "Close", text: "×" });
  var form = el("form", { class: "panel", role: "dialog", "aria-modal": "true",
    "aria-labelledby": uid + "-title", "aria-describedby": uid + "-picked", novalidate: "",
    hidden: true }, [
    el("div", { class: "head" }, [el("h2", { id: uid + "-title", text: "Comment on this element" }),
      formClose]),
    picked,
    el("label", { for: uid + "-kind", text: "Kind" }), kindSelect,
    el("label", { for: uid + "-body", text: "Comment" }), bodyInput,
    emailField, autoFixField, message,
    el("div", { class: "row" }, [cancelButton, sendButton])
  ]);

  // The submitter's own notes on this page.
  var notesList = el("ol");
  var notesClose = el("button", { type: "button", class: "x", "aria-label": "Close", text: "×" });
  var notes = el("section", { class: "panel", role: "dialog", "aria-modal": "true",
    "aria-labelledby": uid + "-notes", hidden: true }, [
    el("div", { class: "head" }, [el("h2", { id: uid + "-notes", text: "Your notes on this page" }),
      notesClose]),
    notesList
  ]);
  [box, hint, form, notes, bar].forEach(function (n) { root.appendChild(n); });
  document.body.appendChild(host);

  // --- Picking -----------------------------------------------------------------------------
  var picking = false;
  var current = null; // the element outlined while picking
  var snapshot = null; // what was recorded when it was picked
  var returnFocus = mainButton;

  function pickable(node) {
    if (!node || node.nodeType !== 1 || node === host || host.contains(node)) return false;
    if (/^(SCRIPT|STYLE|LINK|META|HEAD|TITLE|NOSCRIPT|TEMPLATE|HTML|BODY)$/.test(node.tagName)) {
      return false;
    }
    var r = node.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }
  function walker() {
    return document.createTreeWalker(document.body, 1, {
      acceptNode: function (node) {
        if (node === host) return 2; // FILTER_REJECT: never into the widget
        return pickable(node) ? 1 : 3; // FILTER_ACCEPT : FILTER_SKIP
      }
    });
  }
  function step(from, forward) {
    var w = walker();
    if (!from) return forward ? w.firstChild() : w.lastChild();
    w.currentNode = from;
    var next = forward ? w.nextNode() : w.previousNode();
    return next && next !== document.body ? next : from;
  }
  function describe(node) {
    var text = (node.innerText || node.textContent || "").replace(/\s+/g, " ").trim();
    var name = node.getAttribute("aria-label") || node.getAttribute("alt") || text;
    return node.tagName.toLowerCase() + (node.id ? "#" + node.id : "") +
      (name ? " “" + name.slice(0, 60) + "”" : "");
  }
  function outline(node) {
    current = node;
    if (!node) { box.hidden = true; return; }
    var r = node.getBoundingClientRect();
    box.style.left = r.left + "px";
    box.style.top = r.top + "px";
    box.style.width = r.width + "px";
    box.style.height = r.height + "px";
    box.hidden = false;
  }
  function announce(node) {
    hint.textContent = (node ? describe(node) + ". " : "") +
      "Click an element, or use the arrow keys and Enter. Esc cancels.";
  }

  function onMove(event) {
    var node = event.target;
    if (pickable(node) && node !== current) outline(node);
  }
  function onClick(event) {
    if (event.target === host) return; // our own buttons
    event.preventDefault();
    event.stopPropagation();
    if (pickable(event.target)) pick(event.target);
  }
  function swallow(event) {
    if (event.target !== host) { event.preventDefault(); event.stopPropagation(); }
  }
  function onKey(event) {
    var key = event.key;
    var next = null;
    if (key === "Escape") {
      event.preventDefault();
      stopPicking();
      mainButton.focus();
      return;
    }
    if (key === "Enter" && current) {
      event.preventDefault();
      event.stopPropagation();
      pick(current);
      return;
    }
    if (key === "ArrowDown" || (key === "Tab" && !event.shiftKey)) next = step(current, true);
    else if (key === "ArrowUp" || (key === "Tab" && event.shiftKey)) next = step(current, false);
    else if (key === "ArrowLeft" && current) next = pickable(current.parentElement) ? current.parentElement : current;
    else if (key === "ArrowRight" && current) {
      var w = walker();
      w.currentNode = current;
      next = w.firstChild() || current;
    } else return;
    event.preventDefault();
    event.stopPropagation();
    if (next) {
      next.scrollIntoView({ block: "nearest", inline: "nearest" });
      outline(next);
      announce(next);
    }
  }
  function onScroll() { if (current) outline(current); }

  var LISTEN = [["mousemove", onMove], ["click", onClick], ["mousedown", swallow],
    ["mouseup", swallow], ["keydown", onKey], ["scroll", onScroll]];
  function startPicking() {
    closePanels();
    picking = true;
    mainButton.setAttribute("aria-pressed", "true");
    LISTEN.forEach(function (l) { document.addEventListener(l[0], l[1], true); });
    hint.hidden = false;
    announce(null);
  }
  function stopPicking() {
    picking = false;
    mainButton.setAttribute("aria-pressed", "false");
    LISTEN.forEach(function (l) { document.removeEventListener(l[0], l[1], true); });
    hint.hidden = true;
    if (form.hidden) outline(null);
  }
  mainButton.addEventListener("click", function (event) {
    event.stopPropagation();
    if (picking) stopPicking(); else startPicking();
  });

  // --- What is recorded ------------------------------------------------------------------
  function quote(value) { return '"' + value.replace(/["\\]/g, "\\$&") + '"'; }
  function only(selector, node) {
    try {
      var all = document.querySelectorAll(selector);
      return all.length === 1 && all[0] === node;
    } catch (e) {
      return false;
    }
  }
  function selectorFor(node) {
    var tag = node.tagName.toLowerCase();
    if (node.id && only("#" + CSS.escape(node.id), node)) return "#" + CSS.escape(node.id);
    var attrs = ["data-testid", "data-test", "data-cy", "aria-label", "role", "name"];
    for (var i = 0; i < attrs.length; i++) {
      var v = node.getAttribute(attrs[i]);
      if (!v) continue;
      var s = "[" + attrs[i] + "=" + quote(v) + "]";
      if (only(s, node)) return s;
      if (only(tag + s, node)) return tag + s;
    }
    var path = [];
    for (var n = node; n && n.nodeType === 1 && n !== document.documentElement; n = n.parentElement) {
      if (n !== node && n.id && only("#" + CSS.escape(n.id), n)) {
        path.unshift("#" + CSS.escape(n.id));
        break;
      }
      var part = n.tagName.toLowerCase();
      var same = 0, index = 0;
      for (var sib = n.parentElement && n.parentElement.firstElementChild; sib;
        sib = sib.nextElementSibling) {
        if (sib.tagName === n.tagName) { same++; if (sib === n) index = same; }
      }
      if (same > 1) part += ":nth-of-type(" + index + ")";
      path.unshift(part);
      if (only(path.join(" > "), node)) return path.join(" > ");
    }
    var full = path.join(" > ");
    return only(full, node) ? full : "";
  }
  function computed(style, key) {
    var value = style.getPropertyValue(key);
    if (value || !/^(padding|margin|border|outline)$/.test(key)) return value;
    var parts = key === "border" || key === "outline" ? ["width", "style", "color"] : null;
    if (parts) {
      var side = key === "border" ? "border-top-" : "outline-";
      return parts.map(function (p) { return style.getPropertyValue(side + p); }).join(" ");
    }
    return ["top", "right", "bottom", "left"].map(function (s) {
      return style.getPropertyValue(key + "-" + s);
    }).join(" ");
  }
  function record(node) {
    var r = node.getBoundingClientRect();
    var style = getComputedStyle(node);
    var styles = {};
    STYLE_KEYS.forEach(function (k) { styles[k] = computed(style, k).slice(0, 500); });
    var element = {
      tag: node.tagName.toLowerCase(),
      text: (node.innerText || node.textContent || "").replace(/\s+/g, " ").trim().slice(0, 500),
      classes: Array.prototype.slice.call(node.classList, 0, 50),
      rect: { x: Math.round(r.left), y: Math.round(r.top), width: Math.round(r.width),
        height: Math.round(r.height) }
    };
    if (node.id) element.id = node.id.slice(0, 500);
    [["role", "role"], ["aria-label", "aria-label"], ["alt", "alt"]].forEach(function (a) {
      var v = node.getAttribute(a[0]);
      if (v) element[a[1]] = v.slice(0, 500);
    });
    if (node.href && typeof node.href === "string") element.href = node.href.slice(0, 2000);
    return {
      selector: selectorFor(node),
      element: element,
      styles: styles,
      viewport: { width: innerWidth, height: innerHeight, device_pixel_ratio: devicePixelRatio,
        scroll_x: Math.round(scrollX), scroll_y: Math.round(scrollY) }
    };
  }

  // --- Form ------------------------------------------------------------------------------
  function pick(node) {
    stopPicking();
    snapshot = record(node);
    outline(node);
    picked.textContent = "Element: " + describe(node);
    bodyInput.value = "";
    bodyInput.removeAttribute("aria-invalid");
    setMessage("", false);
    emailField.hidden = !!stakeholder;
    autoFixField.hidden = !stakeholder || stakeholder.auto_fix_default === "never";
    autoFix.checked = !!stakeholder && stakeholder.auto_fix_default === "optional_on";
    sendButton.disabled = false;
    open(form, bodyInput);
  }
  function setMessage(text, isError) {
    message.textContent = text;
    message.className = isError ? "msg error" : "msg";
  }
  function focusables(panel) {
    return Array.prototype.filter.call(
      panel.querySelectorAll("button,input,select,textarea"),
      function (n) { return !n.disabled && n.getClientRects().length; }
    );
  }
  function open(panel, focus) {
    closePanels();
    returnFocus = panel === notes ? notesButton : mainButton;
    panel.hidden = false;
    focus.focus();
  }
  function closePanels() {
    form.hidden = true;
    notes.hidden = true;
    if (!picking) outline(null);
  }
  function close() {
    closePanels();
    returnFocus.focus();
  }
  [form, notes].forEach(function (panel) {
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
        return;
      }
      if (event.key !== "Tab") return;
      var items = focusables(panel);
      var first = items[0], last = items[items.length - 1];
      var active = root.activeElement;
      if (event.shiftKey && (active === first || !panel.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !panel.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    });
  });
  formClose.addEventListener("click", close);
  cancelButton.addEventListener("click", close);
  notesClose.addEventListener("click", close);

  function screenshot() {
    // The visible viewport, without the widget; any failure sends the note without it.
    return import(SHOT_MODULE).then(function (lib) {
      var doc = document.documentElement;
      return lib.domToCanvas(doc, {
        filter: function (n) { return n !== host; },
        scale: 1, timeout: 8000,
        width: Math.max(doc.scrollWidth, innerWidth), height: Math.max(doc.scrollHeight, innerHeight)
      });
    }).then(function (full) {
      var canvas = document.createElement("canvas");
      canvas.width = snapshot.viewport.width;
      canvas.height = snapshot.viewport.height;
      canvas.getContext("2d").drawImage(full, -Math.round(snapshot.viewport.scroll_x),
        -Math.round(snapshot.viewport.scroll_y));
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); });
    }).then(function (blob) {
      if (!blob) return null;
      return call("annotations/upload-url", { content_type: "image/png" }).then(function (r) {
        if ((r.status !== 200 && r.status !== 201) || !r.data || !r.data.url) return null;
        return fetch(r.data.url, { method: r.data.method || "PUT", headers: r.data.headers || {},
          body: blob, mode: "cors", credentials: "omit" }).then(function (put) {
          return put.ok ? r.data.key : null;
        });
      });
    }).catch(function () { return null; });
  }

  function errorText(r) {
    if (r.status === 429) {
      var wait = r.headers.get("Retry-After");
      return "Too many notes from here right now." + (wait ? " Try again in " + wait + " s." : "");
    }
    if (r.status === 401 || r.status === 403) return "This page's annotation widget is not set up correctly.";
    var detail = r.data && r.data.detail;
    if (detail && detail.map) {
      return detail.map(function (d) { return d.msg; }).join(" ");
    }
    return typeof detail === "string" ? detail : "Something went wrong (" + r.status + ").";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = bodyInput.value.trim();
    if (!text) {
      bodyInput.setAttribute("aria-invalid", "true");
      setMessage("Please write a comment.", true);
      bodyInput.focus();
      return;
    }
    bodyInput.removeAttribute("aria-invalid");
    sendButton.disabled = true;
    setMessage("Sending…", false);
    var key = "gfa-" + Date.now().toString(36) + Math.random().toString(36).slice(2);
    screenshot().then(function (shot) {
      var payload = {
        body: text, page_url: location.href, kind: kindSelect.value,
        selector: snapshot.selector, element: snapshot.element, styles: snapshot.styles,
        viewport: snapshot.viewport, user_agent: navigator.userAgent.slice(0, 512)
      };
      if (shot) payload.screenshot_key = shot;
      if (stakeholder) {
        payload.stakeholder_token = stakeholderToken;
        payload.auto_fix = !autoFixField.hidden && autoFix.checked;
      } else if (emailInput.value.trim()) {
        payload.submitter_email = emailInput.value.trim();
      }
      return call("annotations", payload, { "Idempotency-Key": key });
    }).then(function (r) {
      sendButton.disabled = false;
      if (r.status !== 201) {
        setMessage(errorText(r), true);
        return;
      }
      var mine = load(localStorage, STORE, []);
      mine.push({ id: r.data.id, secret: r.data.submitter_secret, page: pageKey(location.href) });
      save(localStorage, STORE, mine.slice(-50));
      close();
      hint.hidden = false;
      hint.textContent = "Thanks! Your note was sent.";
      setTimeout(function () { if (!picking) hint.hidden = true; }, 4000);
      refreshNotes();
    }, function () {
      sendButton.disabled = false;
      setMessage("Could not reach the server. Please try again.", true);
    });
  });

  // --- Revisit: the submitter's own notes on this page -----------------------------------
  var WHO = { user: "Team", agent: "Team", submitter: "You", system: "Notice" };
  function renderNotes(items) {
    notesList.textContent = "";
    items.forEach(function (item) {
      var replies = el("ul");
      item.replies.forEach(function (reply) {
        replies.appendChild(el("li", null, [
          el("span", { class: "who", text: (reply.author_name || WHO[reply.author_kind] ||
            reply.author_kind) + ": " }),
          document.createTextNode(reply.body)
        ]));
      });
      notesList.appendChild(el("li", { class: "note" }, [
        el("span", { class: "status", text: STATUS[item.status] || item.status }),
        el("p", { class: "body", text: item.body }),
        item.replies.length ? replies : null
      ]));
    });
    notesButton.textContent = "My notes (" + items.length + ")";
    notesButton.hidden = !items.length;
  }
  function refreshNotes() {
    var here = pageKey(location.href);
    var mine = load(localStorage, STORE, []).filter(function (m) { return m.page === here; });
    if (!mine.length) return;
    call("annotations/lookup", { items: mine.map(function (m) {
      return { id: m.id, secret: m.secret };
    }) }).then(function (r) {
      if (r.status === 200 && r.data && r.data.items) renderNotes(r.data.items);
    }, function () { /* offline: the button stays as it was */ });
  }
  notesButton.addEventListener("click", function () { open(notes, notesClose); });

  if (stakeholderToken) {
    call("stakeholder-link", { token: stakeholderToken }).then(function (r) {
      if (r.status === 200 && r.data) stakeholder = r.data;
    }, function () { /* anonymous until the link can be checked */ });
  }
  refreshNotes();
})();

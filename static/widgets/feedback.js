/*! Backtalk feedback widget v1 (Minolith-compatible). Plain JS, no dependencies.
 *
 * <script src="https://YOUR-BACKTALK/widget/feedback.js" data-project="your-slug"
 *   data-position="bottom-right" data-color="#6366f1"
 *   data-user-email="alice@example.com" data-user-id="usr_12345"></script>
 *
 * Renders inside a Shadow DOM; posts to <script origin>/v1/feedback/public/<slug>.
 * Never writes HTML from strings: every text goes through textContent.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) {
    var found = document.querySelectorAll("script[data-project]");
    script = found[found.length - 1];
  }
  if (!script || script.getAttribute("data-backtalk-ready")) return;
  script.setAttribute("data-backtalk-ready", "1");

  var project = (script.getAttribute("data-project") || "").trim();
  if (!project) {
    if (window.console) console.warn("Backtalk feedback widget: data-project is required.");
    return;
  }
  var POSITIONS = ["bottom-right", "bottom-left", "top-right", "top-left"];
  var position = script.getAttribute("data-position");
  if (POSITIONS.indexOf(position) < 0) position = "bottom-right";
  var color = script.getAttribute("data-color") || "";
  if (!/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(color)) color = "#6366f1";
  var userEmail = (script.getAttribute("data-user-email") || "").trim();
  var userId = (script.getAttribute("data-user-id") || "").trim();
  var base = new URL(script.src, location.href).origin;
  var endpoint = base + "/v1/feedback/public/" + encodeURIComponent(project);

  var TYPES = [
    ["", "Not sure (we will sort it)"],
    ["feedback", "General feedback"],
    ["bug", "Bug report"],
    ["idea", "Idea"],
    ["question", "Question"],
    ["praise", "Praise"]
  ];
  var uid = "bt" + Math.random().toString(36).slice(2, 8);

  var CSS =
    ":host{all:initial}" +
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
    ".wrap{position:fixed;z-index:2147483000;font-size:14px;line-height:1.4;color:#111827}" +
    ".bottom-right{right:20px;bottom:20px}.bottom-left{left:20px;bottom:20px}" +
    ".top-right{right:20px;top:20px}.top-left{left:20px;top:20px}" +
    ".launcher{background:var(--bt-accent);color:#fff;border:0;border-radius:999px;" +
    "padding:10px 18px;font-size:14px;font-weight:600;cursor:pointer;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.2)}" +
    "button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible" +
    "{outline:3px solid var(--bt-accent);outline-offset:2px}" +
    ".dialog{position:absolute;width:340px;max-width:calc(100vw - 40px);background:#fff;" +
    "border:1px solid #e5e7eb;border-radius:12px;padding:16px;" +
    "box-shadow:0 12px 32px rgba(0,0,0,.22)}" +
    ".bottom-right .dialog,.bottom-left .dialog{bottom:52px}" +
    ".top-right .dialog,.top-left .dialog{top:52px}" +
    ".bottom-right .dialog,.top-right .dialog{right:0}" +
    ".bottom-left .dialog,.top-left .dialog{left:0}" +
    "[hidden]{display:none!important}" +
    ".head{display:flex;justify-content:space-between;align-items:center;margin-bottom:8px}" +
    "h2{margin:0;font-size:16px;font-weight:700}" +
    ".close{background:none;border:0;font-size:22px;line-height:1;cursor:pointer;" +
    "color:#4b5563;padding:2px 6px;border-radius:6px}" +
    "label{display:block;font-weight:600;margin:10px 0 4px;font-size:13px}" +
    "input,select,textarea{width:100%;font-size:14px;padding:8px;border:1px solid #d1d5db;" +
    "border-radius:8px;background:#fff;color:#111827}" +
    "textarea{min-height:110px;resize:vertical}" +
    "[aria-invalid=true]{border-color:#b91c1c}" +
    ".opt{font-weight:400;color:#6b7280}" +
    ".msg{min-height:1em;margin:10px 0 0;font-size:13px}.msg.error{color:#b91c1c}" +
    ".send{margin-top:12px;width:100%;background:var(--bt-accent);color:#fff;border:0;" +
    "border-radius:8px;padding:10px;font-size:14px;font-weight:600;cursor:pointer}" +
    ".send[disabled]{opacity:.6;cursor:progress}" +
    ".done p{margin:8px 0 12px}";

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

  var host = document.createElement("backtalk-feedback");
  // Inline !important beats any host-page rule aimed at our element.
  host.style.cssText =
    "display:block!important;position:static!important;margin:0!important;" +
    "padding:0!important;border:0!important;width:0!important;height:0!important";
  host.style.setProperty("--bt-accent", color);
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", { text: CSS }));

  var launcher = el("button", {
    type: "button",
    class: "launcher",
    "aria-haspopup": "dialog",
    "aria-expanded": "false",
    "aria-controls": uid + "-dialog",
    text: "Feedback"
  });

  var typeSelect = el("select", { id: uid + "-type", name: "type" });
  TYPES.forEach(function (t) {
    typeSelect.appendChild(el("option", { value: t[0], text: t[1] }));
  });
  var titleInput = el("input", {
    id: uid + "-title", name: "title", type: "text", maxlength: "500", autocomplete: "off"
  });
  var bodyInput = el("textarea", {
    id: uid + "-body", name: "body", maxlength: "50000", required: "",
    "aria-required": "true", "aria-describedby": uid + "-msg"
  });
  var emailInput = userEmail ? null : el("input", {
    id: uid + "-email", name: "email", type: "email", maxlength: "255", autocomplete: "email",
    "aria-describedby": uid + "-msg"
  });
  var message = el("p", { id: uid + "-msg", class: "msg", role: "status", "aria-live": "polite" });
  var sendButton = el("button", { type: "submit", class: "send", text: "Send feedback" });

  function optional(text) {
    return el("label", {}, [document.createTextNode(text + " "), el("span", { class: "opt", text: "(optional)" })]);
  }
  var titleLabel = optional("Title");
  titleLabel.setAttribute("for", uid + "-title");
  var emailLabel = null;
  if (emailInput) {
    emailLabel = optional("Your email");
    emailLabel.setAttribute("for", uid + "-email");
  }

  var form = el("form", { novalidate: "" }, [
    el("label", { for: uid + "-type", text: "Type" }), typeSelect,
    titleLabel, titleInput,
    el("label", { for: uid + "-body", text: "Message" }), bodyInput,
    emailLabel, emailInput,
    message,
    sendButton
  ]);
  var doneText = el("p", { text: "Thank you! Your feedback was sent." });
  var doneClose = el("button", { type: "button", class: "send", text: "Close" });
  var done = el("div", { class: "done", hidden: true }, [doneText, doneClose]);
  var closeButton = el("button", {
    type: "button", class: "close", "aria-label": "Close feedback form", text: "\u00d7"
  });
  var dialog = el("div", {
    id: uid + "-dialog", class: "dialog", role: "dialog", "aria-modal": "true",
    "aria-labelledby": uid + "-heading", hidden: true
  }, [
    el("div", { class: "head" }, [el("h2", { id: uid + "-heading", text: "Send feedback" }), closeButton]),
    form,
    done
  ]);
  var wrap = el("div", { class: "wrap " + position }, [dialog, launcher]);
  root.appendChild(wrap);

  function focusables() {
    return Array.prototype.filter.call(
      dialog.querySelectorAll("button,input,select,textarea"),
      function (node) { return !node.disabled && !node.closest("[hidden]"); }
    );
  }

  function setMessage(text, isError) {
    message.textContent = text;
    message.className = isError ? "msg error" : "msg";
  }

  function open() {
    dialog.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    (done.hidden ? typeSelect : doneClose).focus();
  }

  function close() {
    dialog.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    if (!done.hidden) {
      done.hidden = true;
      form.hidden = false;
    }
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (dialog.hidden) open(); else close();
  });
  closeButton.addEventListener("click", close);
  doneClose.addEventListener("click", close);

  wrap.addEventListener("keydown", function (event) {
    if (dialog.hidden) return;
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== "Tab") return;
    var items = focusables();
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    var active = root.activeElement;
    if (event.shiftKey && (active === first || !dialog.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  });

  function invalid(input, text) {
    input.setAttribute("aria-invalid", "true");
    setMessage(text, true);
    input.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    bodyInput.removeAttribute("aria-invalid");
    if (emailInput) emailInput.removeAttribute("aria-invalid");
    var body = bodyInput.value;
    if (!body.trim()) return invalid(bodyInput, "Please write a message.");
    var email = emailInput ? emailInput.value.trim() : userEmail;
    if (emailInput && email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      return invalid(emailInput, "Please enter a valid email address, or leave it empty.");
    }
    var payload = { body: body, page_url: location.href.slice(0, 2000) };
    if (typeSelect.value) payload.type = typeSelect.value;
    if (titleInput.value.trim()) payload.title = titleInput.value.trim();
    if (email) payload.user_email = email;
    if (userId) payload.user_id_external = userId;

    sendButton.disabled = true;
    sendButton.textContent = "Sending\u2026";
    setMessage("Sending your feedback\u2026", false);
    fetch(endpoint, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload)
    })
      .then(function (response) {
        return response.json().then(
          function (data) { return { status: response.status, data: data }; },
          function () { return { status: response.status, data: null }; }
        );
      })
      .then(function (result) {
        if (result.status === 201) {
          form.reset();
          setMessage("", false);
          form.hidden = true;
          done.hidden = false;
          doneClose.focus();
          return;
        }
        var error = result.data && result.data.error;
        var text = error && typeof error.message === "string" ? error.message : "";
        if (result.status === 429) {
          text = (text || "Too many submissions.") + " Please try again later.";
        } else if (!text) {
          text = "Something went wrong (HTTP " + result.status + "). Please try again.";
        }
        setMessage(text, true);
      })
      .catch(function () {
        setMessage("Could not reach the feedback service. Please try again.", true);
      })
      .then(function () {
        sendButton.disabled = false;
        sendButton.textContent = "Send feedback";
      });
  });

  function mount() {
    (document.body || document.documentElement).appendChild(host);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();

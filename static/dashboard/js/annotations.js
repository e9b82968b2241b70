/* Keyboard triage on the annotation page (docs/dashboard.md, "Annotations"), in the manner of
   the feedback item page (inbox.js). Progressive enhancement: each key only moves focus to,
   or submits, a control that works without it. Keys never fire while typing in a field or
   with Ctrl, Alt or Meta held (Ctrl/Cmd+Enter in a text box is the one exception: it sends). */
(function () {
  "use strict";

  var help = document.getElementById("keys-help");
  var page = document.querySelector("[data-annotation-page]");
  if (!help || !page || typeof help.showModal !== "function") { return; }
  var FIELDS = { s: "a-status", a: "a-assignee", m: "a-summary", r: "id_body" };

  document.querySelectorAll("[data-keys-open]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { help.showModal(); });
  });

  function isField(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function focusField(id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "center" });
    if (el.tagName === "TEXTAREA") { el.setSelectionRange(el.value.length, el.value.length); }
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.defaultPrevented) { return; }
    // Ctrl/Cmd+Enter in a text box sends its form (the summary, the reply).
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) &&
        target.tagName === "TEXTAREA" && target.form) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") {
      if (help.open || !isField(target)) { return; }
      target.blur();
      event.preventDefault();
      return;
    }
    // Enter on a select saves it (its form posts only that field).
    if (event.key === "Enter" && target.tagName === "SELECT" && target.form &&
        target.form.hasAttribute("data-submit-on-enter")) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (isField(target)) { return; }
    if (event.key === "?") {
      event.preventDefault();
      if (help.open) { help.close(); } else { help.showModal(); }
      return;
    }
    if (help.open) { return; }
    if (Object.prototype.hasOwnProperty.call(FIELDS, event.key)) {
      event.preventDefault();
      focusField(FIELDS[event.key]);
    } else if (event.key === "c") {
      var copy = document.querySelector('#markdown [data-copy]');
      if (copy) { event.preventDefault(); copy.click(); }
    } else if (event.key === "u") {
      event.preventDefault();
      window.location.href = page.getAttribute("data-back");
    }
  });

  // htmx swaps the triage card or the thread in place: give focus back to the control that
  // had it (the swapped-in copy has the same id), so the keyboard user keeps their place.
  var focusedId = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    focusedId = active && active.id ? active.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusedId) { return; }
    var again = document.getElementById(focusedId);
    if (again && (document.activeElement === document.body || !document.activeElement)) {
      again.focus({ preventScroll: true });
    }
    focusedId = null;
  });
})();

/* Keyboard triage for the feedback inbox and item page, as in mail clients (docs/inbox.md).
   Progressive enhancement: each key only moves focus to, clicks or submits a control that
   works without it. Keys never fire while typing in a field or with Ctrl, Alt or Meta. */
(function () {
  "use strict";

  var help = document.getElementById("keys-help");
  if (!help || typeof help.showModal !== "function") { return; }
  var rows = document.querySelector("[data-inbox-rows]");
  var itemPage = document.querySelector("[data-item-page]");
  var ITEM_FIELDS = { status: "t-status", priority: "t-priority", tags: "t-tags" };
  var selectedId = null;

  document.querySelectorAll("[data-keys-open]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { help.showModal(); });
  });

  function isField(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function allRows() {
    return rows ? Array.prototype.slice.call(rows.querySelectorAll("tr.item-row")) : [];
  }

  function selectedRow() {
    return selectedId ? document.getElementById(selectedId) : null;
  }

  // Mark ``row`` as the selection; with ``focus``, move focus to it and scroll it into view.
  function select(row, focus) {
    allRows().forEach(function (r) { r.classList.toggle("is-selected", r === row); });
    if (!row) { return; }
    selectedId = row.id;
    if (focus) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    var list = allRows();
    if (!list.length) { return null; }
    var index = list.indexOf(selectedRow());
    index = index < 0 ? 0 : Math.min(list.length - 1, Math.max(0, index + step));
    select(list[index], true);
    return list[index];
  }

  function focusField(name) {
    var el;
    if (itemPage) {
      el = document.getElementById(ITEM_FIELDS[name]);
    } else {
      var row = selectedRow() || move(0);
      el = row && row.querySelector("[name=" + name + "]");
    }
    if (!el) { return; }
    el.focus();
    if (el.tagName === "INPUT") { el.setSelectionRange(el.value.length, el.value.length); }
  }

  function openSelected(hash) {
    var row = selectedRow();
    var link = row && row.querySelector("a.title");
    if (link) { window.location.href = link.href + (hash || ""); }
  }

  // "#write-note" names no element on purpose: a fragment that matched one would make the
  // browser move focus to that target after load, taking it from the note field.
  var NOTE_HASH = "#write-note";
  function focusNote() {
    var note = document.querySelector("#add-note textarea");
    if (note) {
      note.focus({ preventScroll: true });
      note.scrollIntoView({ block: "center" });
    }
  }

  var actions = {
    j: function () { move(1); },
    k: function () { move(-1); },
    o: function () { openSelected(); },
    x: function () {
      var box = selectedRow() && selectedRow().querySelector("input[type=checkbox]");
      if (box) { box.click(); }
    },
    s: function () { focusField("status"); },
    p: function () { focusField("priority"); },
    t: function () { focusField("tags"); },
    n: function () { if (itemPage) { focusNote(); } else { openSelected(NOTE_HASH); } },
    u: function () { if (itemPage) { window.location.href = itemPage.getAttribute("data-back"); } }
  };

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") {
      // The open dialog closes itself; in a field, Esc hands focus back to its row.
      if (help.open || !isField(target)) { return; }
      var row = target.closest("tr.item-row");
      target.blur();
      if (row) { select(row, true); }
      event.preventDefault();
      return;
    }
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
    if (event.key === "Enter") {
      // Enter on a focused link or button keeps its own meaning.
      if (rows && (target === document.body || target.classList.contains("item-row"))) {
        event.preventDefault();
        openSelected();
      }
      return;
    }
    var action = Object.prototype.hasOwnProperty.call(actions, event.key) && actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  // A row focused by Tab or a click becomes the selection.
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("tr.item-row");
    if (row) { select(row, false); }
  });

  // An inline change swaps the row (htmx): keep it selected, and focused if focus was lost.
  document.addEventListener("htmx:afterSettle", function () {
    var row = selectedRow();
    if (!row) { return; }
    select(row, false);
    if (document.activeElement === document.body) { row.focus({ preventScroll: true }); }
  });

  if (itemPage && window.location.hash === NOTE_HASH) { focusNote(); }
})();

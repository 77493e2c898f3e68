// Small helpers for staff screens; no framework beyond htmx and Bootstrap.
(function () {
  "use strict";

  // Adjustable font size (适老化), remembered per browser.
  var KEY = "portal-font-scale";
  function applyScale(scale) {
    document.documentElement.style.setProperty("--portal-font-scale", String(scale));
  }
  var saved = parseFloat(window.localStorage.getItem(KEY) || "1");
  if (saved >= 0.8 && saved <= 1.6) { applyScale(saved); }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-font-step]");
    if (!button) { return; }
    var current = parseFloat(window.localStorage.getItem(KEY) || "1");
    var next = Math.min(1.6, Math.max(0.8, current + 0.1 * parseInt(button.dataset.fontStep, 10)));
    next = Math.round(next * 10) / 10;
    window.localStorage.setItem(KEY, String(next));
    applyScale(next);
  });

  // Ledger selection for bulk edit: keep the hidden list of ids in step with
  // the checkboxes, including "select all on this page".
  function syncSelection() {
    var boxes = document.querySelectorAll("input[data-estate-id]");
    var ids = [];
    boxes.forEach(function (box) { if (box.checked) { ids.push(box.dataset.estateId); } });
    document.querySelectorAll("[data-selected-ids]").forEach(function (input) { input.value = ids.join(","); });
    document.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = String(ids.length); });
    document.querySelectorAll("[data-needs-selection]").forEach(function (el) { el.disabled = ids.length === 0; });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      document.querySelectorAll("input[data-estate-id]").forEach(function (box) { box.checked = event.target.checked; });
    }
    if (event.target.matches("[data-select-all], input[data-estate-id]")) { syncSelection(); }
  });
  document.addEventListener("htmx:afterSwap", syncSelection);
  document.addEventListener("DOMContentLoaded", syncSelection);

  // After htmx filtering the address bar holds the current filters: links and
  // forms marked data-with-query take them from there, not from page load.
  function currentQuery() {
    var params = new URLSearchParams(window.location.search);
    params.delete("page");
    return withoutEmpty(params).toString();
  }
  function withoutEmpty(params) {
    var kept = new URLSearchParams();
    params.forEach(function (value, key) { if (value !== "") { kept.append(key, value); } });
    return kept;
  }
  // htmx sends every field of the filter form; leave out the empty ones so the
  // address bar (and saved filters) hold only the filters actually chosen.
  document.addEventListener("htmx:configRequest", function (event) {
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (key) {
      if (params[key] === "" || (Array.isArray(params[key]) && params[key].length === 0)) { delete params[key]; }
    });
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-with-query]");
    if (link) { link.href = link.href.split("?")[0] + "?" + currentQuery(); }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[data-with-query]")) {
      var input = event.target.querySelector("input[name=query]");
      if (input) { input.value = currentQuery(); }
    }
    event.target.querySelectorAll("input[data-current-url]").forEach(function (input) {
      input.value = window.location.pathname + window.location.search;
    });
  }, true);

  // District → street → community: choosing a level clears the levels below
  // and reloads the page so their options follow (they can be long lists).
  var CHILDREN = { id_district: ["id_street", "id_community"], id_street: ["id_community"] };
  document.addEventListener("change", function (event) {
    var children = CHILDREN[event.target.id];
    var form = event.target.form;
    if (!children || !form || !form.matches("form.filters")) { return; }
    event.stopPropagation();  // not the htmx partial update: the options must change too
    children.forEach(function (id) {
      var select = document.getElementById(id);
      if (select) { select.value = ""; }
    });
    form.submit();
  }, true);

  // What used to be inline handlers and style attributes, which the
  // Content-Security-Policy refuses: a select marked data-autosubmit submits
  // its form when changed, a button marked data-print prints the page.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]") && event.target.form) { event.target.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
  // A search box whose typing htmx already follows (input/search triggers):
  // its change on leaving the box must not send the same filter again.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-no-change-trigger]")) { event.stopPropagation(); }
  }, true);
  // Bars drawn from data-width (a percentage): set on load and on whatever
  // htmx swaps in. The observer runs before the next paint, so a polled
  // progress bar never shows empty for a frame.
  function applyWidths(root) {
    if (root.matches && root.matches("[data-width]")) { setWidth(root); }
    if (root.querySelectorAll) { root.querySelectorAll("[data-width]").forEach(setWidth); }
  }
  function setWidth(el) {
    var value = parseFloat(el.getAttribute("data-width"));
    el.style.width = (isNaN(value) ? 0 : Math.min(100, Math.max(0, value))) + "%";
  }
  applyWidths(document);
  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      mutation.addedNodes.forEach(function (node) { if (node.nodeType === 1) { applyWidths(node); } });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });

  // Confirm destructive actions.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();

// Public form: suggest estates by name (a small JSON endpoint feeding a datalist)
// and remember the picked estate's id. Staff page: reply templates fill the reply.
(function () {
  "use strict";
  var input = document.getElementById("id_estate_name");
  var list = document.getElementById("estate-options");
  var hidden = document.getElementById("id_estate_id");
  if (input && list && hidden) {
    var url = input.getAttribute("data-search-url");
    var known = {};
    var timer = null;
    input.addEventListener("input", function () {
      var value = input.value.trim();
      hidden.value = known[value] || "";
      clearTimeout(timer);
      if (!value || known[value]) return;
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(value), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            var counts = {};
            data.results.forEach(function (e) { counts[e.name] = (counts[e.name] || 0) + 1; });
            data.results.forEach(function (e) {
              var option = document.createElement("option");
              option.value = e.name;
              option.label = e.street + " " + e.community;
              list.appendChild(option);
              if (counts[e.name] === 1) known[e.name] = String(e.id);
            });
            hidden.value = known[input.value.trim()] || "";
          })
          .catch(function () {});
      }, 250);
    });
  }
  var picker = document.getElementById("reply-template");
  if (picker) {
    picker.addEventListener("change", function () {
      var target = document.getElementById("id_reply");
      if (target && picker.value) target.value = picker.options[picker.selectedIndex].getAttribute("data-text");
    });
  }
})();

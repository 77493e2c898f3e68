/* django-celery-beat's periodic task form: under the crontab's help, show the
   chosen schedule in words. Its own inline script, moved here for the CSP
   (templates/admin/djcelery/change_periodictask_form.html). */
(function () {
  "use strict";
  var script = document.getElementById("periodic-task-overrides");
  var data = document.getElementById("readable-crontabs");
  var $ = window.django && window.django.jQuery;
  if (!script || !data || !$) { return; }
  var readableCrontabs = JSON.parse(data.textContent);
  var originalCrontabHelp = script.getAttribute("data-crontab-help") || "";

  function updateCrontabHelp(additional) {
    var help = $(".field-crontab .help");
    help.text(originalCrontabHelp);
    help.append(document.createElement("br"), document.createTextNode("Translation: " + additional));
  }

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    updateCrontabHelp(readableCrontabs[$("#id_crontab").val()]);
  });
})();

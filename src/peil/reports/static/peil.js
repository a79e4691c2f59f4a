/* Draw every chart on the page with the vega-embed shipped beside this file: no network needed.
   A chart's Vega-Lite spec is the JSON in the <script type="application/json"> element that its
   container's data-vega-spec names. */
(function () {
  "use strict";
  var localeElement = document.getElementById("peil-format-locale");
  var formatLocale = localeElement ? JSON.parse(localeElement.textContent) : undefined;
  var containers = document.querySelectorAll("[data-vega-spec]");
  Array.prototype.forEach.call(containers, function (container) {
    var source = document.getElementById(container.getAttribute("data-vega-spec"));
    if (!source || typeof vegaEmbed !== "function") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    vegaEmbed(container, spec, {
      mode: "vega-lite",
      renderer: "svg",
      actions: false,
      ast: true, /* interpret expressions instead of compiling them: works under a strict CSP */
      formatLocale: formatLocale
    }).then(function () {
      container.classList.add("rendered");
    }).catch(function (error) {
      container.classList.add("failed");
      console.error(error);
    });
  });
})();

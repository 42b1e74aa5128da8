// leadpilot dashboard: renders the Vega-Lite specs the server put in each panel, on load
// and after every htmx swap. No data is fetched here: the server renders the numbers.
(function () {
  "use strict";
  function render(root) {
    var nodes = (root || document).querySelectorAll("script.vl-spec");
    nodes.forEach(function (node) {
      var holder = node.parentElement;
      if (holder.dataset.rendered) { return; }
      holder.dataset.rendered = "1";
      var spec = JSON.parse(node.textContent);
      var target = document.createElement("div");
      target.className = "vl";
      holder.appendChild(target);
      window.vegaEmbed(target, spec, { actions: false, renderer: "svg" })
        .then(function () { holder.dataset.ready = "1"; })
        .catch(function (err) { holder.dataset.error = String(err); console.error(err); });
    });
  }
  // another channel: the campaign chosen was one of the former channel's, so it goes
  // (before htmx reads the form: a capture listener on the document runs first)
  document.addEventListener("change", function (evt) {
    if (evt.target && evt.target.id === "f-channel") {
      var campaign = document.getElementById("f-campaign");
      if (campaign) { campaign.value = ""; }
    }
  }, true);
  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSettle", function (evt) { render(evt.target); });
  window.addEventListener("resize", function () {
    document.querySelectorAll(".chart").forEach(function (c) { c.dataset.rendered = ""; });
  });
})();

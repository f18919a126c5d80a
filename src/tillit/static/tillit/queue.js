// The review queue's figures (how many hits, the amount at risk, the weak duplicate groups) are
// counted after the list: the page shows its hits at once and this fetches the figures for the
// same filter into the live region. Without JavaScript the region's link leads to them instead.
(function () {
  var region = document.getElementById("queue-figures");
  if (!region || !window.fetch) return;
  var link = region.innerHTML;
  var message = function (text) {
    var p = document.createElement("p");
    p.className = "hint";
    p.textContent = text;
    return p;
  };
  region.replaceChildren(message(region.dataset.waiting));
  fetch(region.dataset.url, {
    credentials: "same-origin",
    headers: { "X-Tillit-Fragment": "1" },
  })
    .then(function (response) {
      // 400: the filter could not be used, and the figures are those of the default filter
      if (response.redirected) throw new Error("signed out"); // the login page, not the figures
      if (!response.ok && response.status !== 400) throw new Error(String(response.status));
      return response.text();
    })
    .then(function (html) {
      region.innerHTML = html;
    })
    .catch(function () {
      region.replaceChildren(message(region.dataset.failed));
      region.insertAdjacentHTML("beforeend", link);
    });
})();

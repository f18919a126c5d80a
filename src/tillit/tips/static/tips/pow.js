// Proof of work for the report forms: find a nonce whose SHA-256 with the challenge starts with
// `data-pow` zero bits. Without JavaScript the server accepts the form after a short wait instead.
(function () {
  "use strict";
  var form = document.querySelector("form[data-pow]");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) { return; }
  var bits = parseInt(form.getAttribute("data-pow"), 10);
  var challenge = form.querySelector("[name=challenge]").value;
  var nonceField = form.querySelector("[name=nonce]");
  var encoder = new TextEncoder();
  var done = false, submitting = false;

  function zeroBits(bytes) {
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { n += 8; continue; }
      for (var b = 7; b >= 0; b--) { if (bytes[i] & (1 << b)) { return n; } n++; }
    }
    return n;
  }

  async function solve() {
    for (var nonce = 0; ; nonce++) {
      var digest = await window.crypto.subtle.digest("SHA-256", encoder.encode(challenge + ":" + nonce));
      if (zeroBits(new Uint8Array(digest)) >= bits) { nonceField.value = String(nonce); done = true; return; }
    }
  }

  var solving = solve().then(function () { if (submitting) { form.submit(); } });
  form.addEventListener("submit", function (event) {
    if (done) { return; }
    event.preventDefault();
    submitting = true;
    var status = document.getElementById("pow-status");
    if (status) { status.textContent = status.getAttribute("data-wait") || "…"; }
    return solving;
  });
}());

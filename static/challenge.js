// Solves the server's proof-of-work challenge (ALTCHA's format: find n <= maxNumber such that
// SHA-256(salt + n) is the challenge's hash), then fills the form's hidden field and lets it be sent.
// SHA-256 is computed here rather than with WebCrypto: crypto.subtle exists only on HTTPS pages,
// and a closed government network may serve plain HTTP; one await per guess would also be slower.
(function () {
  "use strict";
  var box = document.querySelector("[data-challenge]");
  if (!box) { return; }
  var challenge = JSON.parse(box.getAttribute("data-challenge"));
  var field = document.getElementById(box.getAttribute("data-field"));
  var form = box.closest("form");
  var button = form.querySelector("button[type=submit]");
  var status = box.querySelector(".challenge-status");
  button.disabled = true;

  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  var W = new Uint32Array(64), words = new Uint32Array(32), H = new Uint32Array(8);

  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

  // SHA-256 of an ASCII string (the salt and the number are ASCII, at most two blocks here) into H.
  function sha256(text) {
    var length = text.length, blocks = ((length + 8) >> 6) + 1, i;
    words.fill(0, 0, blocks * 16);
    for (i = 0; i < length; i++) { words[i >> 2] |= text.charCodeAt(i) << (24 - (i % 4) * 8); }
    words[length >> 2] |= 0x80 << (24 - (length % 4) * 8);
    words[blocks * 16 - 1] = length * 8;
    var h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a,
        h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (var block = 0; block < blocks; block++) {
      for (i = 0; i < 16; i++) { W[i] = words[block * 16 + i]; }
      for (i = 16; i < 64; i++) {
        var s0 = rotr(W[i - 15], 7) ^ rotr(W[i - 15], 18) ^ (W[i - 15] >>> 3);
        var s1 = rotr(W[i - 2], 17) ^ rotr(W[i - 2], 19) ^ (W[i - 2] >>> 10);
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
      }
      var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (i = 0; i < 64; i++) {
        var t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    H[0] = h0; H[1] = h1; H[2] = h2; H[3] = h3; H[4] = h4; H[5] = h5; H[6] = h6; H[7] = h7;
  }

  // The hash sought, as eight words: compared without writing each guess out in hex.
  var target = new Uint32Array(8);
  for (var t = 0; t < 8; t++) { target[t] = parseInt(challenge.challenge.substr(t * 8, 8), 16); }

  function matches() {
    for (var k = 0; k < 8; k++) { if (H[k] !== target[k]) { return false; } }
    return true;
  }

  var number = 0, started = Date.now();
  function work() {
    var stop = Math.min(number + 20000, challenge.maxNumber);
    for (; number <= stop; number++) {
      sha256(challenge.salt + number);
      if (matches()) {
        field.value = btoa(JSON.stringify({algorithm: challenge.algorithm, challenge: challenge.challenge,
          number: number, salt: challenge.salt, signature: challenge.signature,
          took: Date.now() - started}));
        status.textContent = "Đã xác minh xong, bạn có thể gửi.";
        box.classList.add("done");
        button.disabled = false;
        return;
      }
    }
    if (number > challenge.maxNumber) {
      status.textContent = "Không xác minh được. Hãy tải lại trang.";
      return;
    }
    setTimeout(work, 0);  // lets the page respond between batches
  }
  setTimeout(work, 0);
}());

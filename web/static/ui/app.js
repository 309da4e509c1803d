// Kollegium web app: small progressive enhancements. Every page works without this file.
// Live updates from the streaming API (announced politely), infinite scroll, image preview.
(function () {
  "use strict";
  var announcer = document.getElementById("announcer");

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    // A fresh text node after a tick makes screen readers speak a repeated message again.
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function fill(template, n) { return template.replace("%(num)s", String(n)); }

  function fragment(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  // Live updates: the home stream tells us a post arrived; we offer a button that loads
  // the server-rendered posts, so nothing moves under the reader's eyes or finger.
  function live() {
    var feed = document.querySelector("[data-feed]");
    var bar = document.querySelector(".new-posts");
    if (!feed || !bar || !window.EventSource) return;
    var button = bar.querySelector("button");
    var waiting = 0;
    function newestId() {
      var first = feed.querySelector("article[data-id]");
      return first ? first.getAttribute("data-id") : "0";
    }
    function showCount() {
      var text = waiting === 1 ? bar.getAttribute("data-one") : fill(bar.getAttribute("data-many"), waiting);
      button.textContent = text;
      bar.hidden = false;
      announce(text);
    }
    button.addEventListener("click", function () {
      fetch("/home/newer?since_id=" + newestId(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          var doc = fragment(html);
          var added = doc.querySelectorAll("article[data-id]");
          var firstNew = null;
          Array.prototype.slice.call(added).reverse().forEach(function (a) {
            if (document.getElementById(a.id)) return;
            var node = document.importNode(a, true);
            node.classList.add("fresh");
            feed.insertBefore(node, feed.firstChild);
            firstNew = node;
          });
          var empty = feed.querySelector(".empty");
          if (empty && added.length) empty.remove();
          waiting = 0;
          bar.hidden = true;
          var top = feed.querySelector("article[data-id]");
          if (firstNew && top) top.focus();
        });
    });
    var source = new EventSource("/ui/live");
    source.addEventListener("open", function () { document.body.setAttribute("data-live-state", "open"); });
    source.addEventListener("update", function (e) {
      var status;
      try { status = JSON.parse(e.data); } catch (err) { return; }
      if (document.getElementById("s-" + status.id)) return;
      waiting += 1;
      showCount();
    });
    source.addEventListener("notification", function () {
      var link = document.querySelector("[data-notifications]");
      if (!link) return;
      var badge = link.querySelector(".badge");
      var count = link.querySelector("[data-count]");
      count.textContent = String((parseInt(count.textContent, 10) || 0) + 1);
      badge.hidden = false;
      announce(link.getAttribute("data-new"));
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  // Infinite scroll: when the "older posts" link comes into view, load that page and
  // append its posts; the link stays a link for keyboards and for when this fails.
  function infinite() {
    var feed = document.querySelector("[data-feed]");
    var link = document.querySelector("a.older");
    if (!feed || !link || !("IntersectionObserver" in window)) return;
    var loading = false;
    var observer = new IntersectionObserver(function (entries) {
      if (!entries[0].isIntersecting || loading) return;
      loading = true;
      fetch(link.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          var doc = fragment(html);
          var items = doc.querySelectorAll("[data-feed] > *");
          items.forEach(function (item) { feed.appendChild(document.importNode(item, true)); });
          var next = doc.querySelector("a.older");
          if (next) { link.href = next.getAttribute("href"); } else { observer.disconnect(); link.parentNode.remove(); }
          if (items.length) announce(link.getAttribute("data-loaded") || "");
          loading = false;
        }, function () { loading = false; });
    }, { rootMargin: "400px" });
    observer.observe(link);
  }

  // Image preview, and the alt text becomes required once an image is chosen.
  function previews() {
    document.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
      input.addEventListener("change", function () {
        var img = document.getElementById(input.getAttribute("data-preview"));
        var alt = document.getElementById(input.getAttribute("data-alt") || "");
        var file = input.files && input.files[0];
        if (alt) alt.required = !!file;
        if (!img) return;
        if (img.src) URL.revokeObjectURL(img.src);
        if (file) { img.src = URL.createObjectURL(file); img.hidden = false; } else { img.hidden = true; }
      });
    });
  }

  // Characters left, shown beside the text field (not announced on every key).
  function counter() {
    var area = document.querySelector("textarea[data-count]");
    if (!area) return;
    var out = document.getElementById(area.getAttribute("data-count"));
    var template = out.getAttribute("data-left");
    function update() { out.textContent = fill(template, 500 - area.value.length); }
    area.addEventListener("input", update);
    update();
  }

  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  function serviceWorker() {
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    previews(); counter(); focusErrors(); infinite(); serviceWorker();
    if (document.body.getAttribute("data-live") === "home") live();
  });
})();

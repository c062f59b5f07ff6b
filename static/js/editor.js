// The summary editor: live preview rendered by the server, autosave, image upload,
// word count and Write/Preview tabs on narrow screens. The form works without it.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) return;
  var body = form.querySelector("textarea[name=body]");
  var preview = document.getElementById("preview");
  var saveStatus = document.getElementById("autosave-status");
  var uploadStatus = document.getElementById("upload-status");
  var count = document.getElementById("word-count");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var lastSaved = body.value;
  var submitting = false;
  var previewTimer = null;
  var previewSeq = 0;

  form.classList.add("js");

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
    });
  }

  function countWords() {
    var words = body.value.trim().match(/\S+/g);
    count.textContent = (words ? words.length : 0) + " words";
  }

  function renderPreview() {
    var seq = ++previewSeq;
    var data = new FormData();
    data.append("body", body.value);
    post(form.dataset.previewUrl, data)
      .then(function (response) { return response.text(); })
      .then(function (html) {
        // Only the newest answer counts; the HTML is sanitised by the server.
        if (seq === previewSeq) preview.innerHTML = html;
      })
      .catch(function () { /* keep the last preview; saving still works */ });
  }

  function draftData() {
    var data = new FormData(form);
    data.delete("action");
    return data;
  }

  function autosave() {
    if (submitting || body.value === lastSaved) return;
    var text = body.value;
    post(form.dataset.autosaveUrl, draftData())
      .then(function (response) {
        return response.json().then(function (json) { return [response.ok, json]; });
      })
      .then(function (result) {
        if (result[0]) {
          lastSaved = text;
          if (result[1].saved) {
            saveStatus.textContent = "Draft saved at " + new Date().toLocaleTimeString();
          }
        } else {
          saveStatus.textContent = result[1].error || "The draft could not be saved; keep this page open.";
        }
      })
      .catch(function () {
        saveStatus.textContent = "Offline: the draft will be saved when the connection returns.";
      });
  }

  function saveOnLeave() {
    if (!submitting && body.value !== lastSaved && navigator.sendBeacon) {
      // A beacon carries the form, CSRF token included, even while the page unloads.
      if (navigator.sendBeacon(form.dataset.autosaveUrl, draftData())) lastSaved = body.value;
    }
  }

  body.addEventListener("input", function () {
    countWords();
    clearTimeout(previewTimer);
    previewTimer = setTimeout(renderPreview, 300);
  });
  form.addEventListener("change", function (event) {
    if (event.target.type === "checkbox") lastSaved = null;
  });
  form.addEventListener("submit", function () { submitting = true; });
  setInterval(autosave, 4000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") saveOnLeave();
  });
  window.addEventListener("pagehide", saveOnLeave);

  var tabs = form.querySelectorAll(".editor-tabs [data-pane]");
  tabs.forEach(function (tab) {
    tab.addEventListener("click", function () {
      form.dataset.pane = tab.dataset.pane;
      tabs.forEach(function (other) {
        other.setAttribute("aria-selected", String(other === tab));
      });
      if (tab.dataset.pane === "preview") renderPreview();
    });
  });
  form.dataset.pane = "write";

  var fileInput = document.getElementById("image-input");
  fileInput.addEventListener("change", function () {
    var file = fileInput.files[0];
    if (!file) return;
    var data = new FormData();
    data.append("image", file);
    uploadStatus.textContent = "Uploading " + file.name + "…";
    post(form.dataset.uploadUrl, data)
      .then(function (response) {
        return response.json().then(function (json) { return [response.ok, json]; });
      })
      .then(function (result) {
        if (!result[0]) {
          uploadStatus.textContent = result[1].error || "The upload failed.";
          return;
        }
        var start = body.selectionStart;
        var end = body.selectionEnd;
        body.setRangeText("\n" + result[1].markdown + "\n", start, end, "end");
        body.focus();
        body.dispatchEvent(new Event("input"));
        uploadStatus.textContent = "Image added.";
      })
      .catch(function () { uploadStatus.textContent = "The upload failed; try again."; })
      .finally(function () { fileInput.value = ""; });
  });

  countWords();
})();

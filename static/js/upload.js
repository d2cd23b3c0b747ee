// Statistics uploads: drag-and-drop onto the file field, and a progress bar that polls the
// upload's progress until it finishes, then reloads the page to show the result.
(function () {
  "use strict";
  const zone = document.getElementById("drop-zone");
  if (zone) {
    const input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("bg-primary-subtle");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.remove("bg-primary-subtle");
    }));
    zone.addEventListener("drop", (event) => {
      if (input && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
      }
    });
  }

  const card = document.getElementById("progress-card");
  if (card) {
    const bar = document.getElementById("progress-bar");
    const note = document.getElementById("progress-note");
    const poll = () => {
      fetch(card.dataset.progressUrl, { headers: { Accept: "application/json" } })
        .then((response) => response.json())
        .then((data) => {
          bar.style.width = data.progress + "%";
          bar.textContent = data.progress + "%";
          card.querySelector("[role=progressbar]").setAttribute("aria-valuenow", data.progress);
          note.textContent = data.note || data.status_display;
          if (data.active) {
            setTimeout(poll, 1000);
          } else {
            window.location.reload();
          }
        })
        .catch(() => setTimeout(poll, 3000));
    };
    setTimeout(poll, 700);
  }
})();

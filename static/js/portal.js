// The portal's own behaviour. No inline handlers: the CSP allows scripts from 'self' only.
"use strict";

// Buttons and links with data-confirm="question" ask before they act.
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});

// Forms whose data-submit-once is set disable their buttons after the first submit,
// so a double tap on a slow phone connection cannot save a record twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.matches("[data-submit-once]")) {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach((button) => {
      button.disabled = true;
    });
  }
});

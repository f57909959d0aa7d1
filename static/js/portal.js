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

// One polite live region for what changes without a new page (htmx swaps), so that a
// screen reader hears it: a new live region in swapped content is not announced.
const liveRegion = document.createElement("div");
liveRegion.id = "portal-live";
liveRegion.className = "visually-hidden";
liveRegion.setAttribute("role", "status");
liveRegion.setAttribute("aria-live", "polite");
document.body.append(liveRegion);

function announce(text) {
  // Emptied first, so that the same words said twice are announced twice.
  liveRegion.textContent = "";
  window.setTimeout(() => {
    liveRegion.textContent = text.replace(/\s+/g, " ").trim().slice(0, 300);
  }, 100);
}

function focusOn(element) {
  if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
    element.setAttribute("tabindex", "-1");
  }
  element.focus({ preventScroll: false });
}

// What a swap says, most urgent first: an error, then the part marked to take focus, a
// status or live text, a heading; else the new content itself.
const ERROR = "[role=alert], .invalid-feedback, .alert-danger, .errorlist";
const SAID = "[data-swap-focus], [role=status], [aria-live]";
const HEADING = "h1, h2, h3, h4, h5, h6";

function whatChanged(content) {
  const find = (selector) =>
    (content.matches(selector) && content) || content.querySelector(selector);
  return find(ERROR) || find(SAID) || find(HEADING) || content;
}

// Before a swap: whether the person acted inside what is about to be replaced (their
// focus would be lost with it), and the id to find the new content by.
let swapFocus = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  const active = document.activeElement;
  swapFocus = {
    id: target.id,
    lost: active === document.body || target.contains(active),
    byPerson: Boolean(event.detail.requestConfig && event.detail.requestConfig.triggeringEvent),
  };
});

document.addEventListener("htmx:afterSettle", (event) => {
  const before = swapFocus;
  swapFocus = null;
  // Polling (a run's progress) is not the person acting: its part has its own live
  // region, and moving focus would pull them away from what they are reading.
  if (!before || !before.byPerson) {
    return;
  }
  const content = (before.id && document.getElementById(before.id)) || event.detail.target;
  if (!content || !content.isConnected) {
    return;
  }
  const changed = whatChanged(content);
  announce(changed.textContent || "");
  if (before.lost) {
    focusOn(changed);
  }
});

// A wide table on a phone scrolls sideways: keyboard users must reach it too, so the
// scrolling box is focusable and named after its table.
function scrollersFocusable() {
  document.querySelectorAll(".table-responsive").forEach((box) => {
    if (box.hasAttribute("tabindex")) {
      return;
    }
    const caption = box.querySelector("caption");
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
  });
}
scrollersFocusable();
document.addEventListener("htmx:afterSettle", scrollersFocusable);

// A form's error summary (GOV.UK's pattern) takes focus when the page opens, so that a
// phone shows it and a screen reader reads it out. Its links go to each field with the
// field's label (or its group's legend) in view, opening a folded "More details".
const errorSummary = document.querySelector(".error-summary");
if (errorSummary) {
  errorSummary.focus();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!field) {
    return;
  }
  event.preventDefault();
  const folded = field.closest("details");
  if (folded) {
    folded.open = true;
  }
  const group = (field.type === "radio" || field.type === "checkbox") && field.closest("fieldset");
  const label = group ? group.querySelector("legend") : field.labels && field.labels[0];
  (label || field).scrollIntoView({ block: "start" });
  field.focus({ preventScroll: true });
});

// After a form sent the whole page (a task marked done), what it did is said at the top:
// focus goes there, unless something on the page (an error summary) took it already.
const saved = document.querySelector(".portal-messages");
if (saved && document.activeElement === document.body) {
  focusOn(saved);
}

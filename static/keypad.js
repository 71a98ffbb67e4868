// The math keypad (app/web/ui/keypad.py): a key inserts its text at the cursor of its text box.
// The value is set the way typing sets it (the native setter, then an "input" event), so Gradio sees it.
(function () {
  function insert(box, text) {
    const cursorAt = text.indexOf("|");
    const plain = text.replace("|", "");
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    const value = box.value.slice(0, start) + plain + box.value.slice(end);
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), "value").set;
    setter.call(box, value);
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
    const caret = start + (cursorAt < 0 ? plain.length : cursorAt);
    box.setSelectionRange(caret, caret);
  }

  document.addEventListener("click", (event) => {
    const key = event.target.closest(".ft-key");
    if (!key) return;
    const pad = key.closest(".ft-keypad");
    const box = document.querySelector(`#${pad.dataset.target} textarea, #${pad.dataset.target} input`);
    if (box) insert(box, key.dataset.insert);
  });
})();

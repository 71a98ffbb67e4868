// Fixes to Gradio's own markup where it fails WCAG (found by axe-core in tests/browser/test_accessibility.py):
// - its charts (Vega) draw every mark as an unlabelled image: the chart gets one label instead (the numbers
//   are in the table beside each chart), and its marks are hidden from screen readers;
// - its file drop zone is named "Click to upload..." while it shows other words: its name includes them.
(function () {
  function mend(root) {
    // Vega redraws its marks as data arrives, so every pass looks at all of them again.
    root.querySelectorAll("svg [role^='graphics']:not([aria-hidden])").forEach((mark) => {
      mark.setAttribute("aria-hidden", "true");
      const svg = mark.ownerSVGElement;
      if (svg && !svg.hasAttribute("aria-label")) {
        const block = svg.closest(".block");
        const label = block && block.querySelector("[data-testid='block-info'], label");
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", (label && label.textContent.trim()) || "chart");
      }
    });
    root.querySelectorAll(".upload-container:not([data-ft-mended])").forEach((zone) => {
      zone.dataset.ftMended = "1";
      const shown = zone.textContent.replace(/\s+/g, " ").trim();
      if (shown) zone.setAttribute("aria-label", shown);
    });
  }
  new MutationObserver(() => mend(document)).observe(document.documentElement, { childList: true, subtree: true });
})();

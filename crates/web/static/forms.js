// Form checks in Chinese. The browser checks required fields, dates and numbers before
// a form is sent, in the language of its own interface (often English on an office
// computer); this gives each refusal in Chinese, naming the field by its label.
(function () {
  "use strict";
  function fieldName(el) {
    var label = el.labels && el.labels[0];
    if (!label) return "";
    // The label's own words, without the text of the field inside it.
    var words = "";
    label.childNodes.forEach(function (n) { if (n.nodeType === 3) words += n.textContent; });
    words = words.trim().split(/[（(\s]/)[0];
    return words ? "“" + words + "”" : "";
  }
  function message(el) {
    var v = el.validity, name = fieldName(el);
    if (v.valueMissing) {
      if (el.type === "checkbox") return "请勾选" + (name || "此项");
      if (el.tagName === "SELECT") return "请选择" + (name || "一项");
      return "请填写" + (name || "此项");
    }
    if (v.typeMismatch || v.badInput) return (name || "此项") + "的格式不正确";
    if (v.rangeUnderflow) return (name || "此项") + "不能小于 " + el.min;
    if (v.rangeOverflow) return (name || "此项") + "不能大于 " + el.max;
    if (v.stepMismatch) return (name || "此项") + "须为整数";
    if (v.tooLong) return (name || "此项") + "最多 " + el.maxLength + " 个字";
    if (v.patternMismatch) return (name || "此项") + "的格式不正确";
    return "";
  }
  document.addEventListener("invalid", function (e) {
    var el = e.target;
    if (!el.setCustomValidity) return;
    el.setCustomValidity("");
    if (!el.validity.valid) el.setCustomValidity(message(el));
  }, true);
  function clear(e) { if (e.target.setCustomValidity) e.target.setCustomValidity(""); }
  document.addEventListener("input", clear, true);
  document.addEventListener("change", clear, true);
})();

// A very small element builder: no framework, no innerHTML.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export const $ = (sel, root = document) => root.querySelector(sel);

// A source as a link when it is a web page, as text when it is a citation.
export function sourceItem(ref) {
  if (/^https?:\/\//i.test(ref)) {
    const a = h('a', { target: '_blank', rel: 'noopener noreferrer' }, ref);
    a.href = ref;
    return h('li', {}, a);
  }
  return h('li', {}, ref);
}

export function fmtConf(c) {
  return c === null || c === undefined ? '—' : c.toFixed(2);
}

// Line icons drawn as SVG paths (24 × 24, stroked in the text colour),
// built with createElementNS: no markup strings, no icon font, no emoji
// font needed.

const paths = {
  home: "M3 11l9-8 9 8M5 10v10h5v-6h4v6h5V10",
  mine: "M3 13h5l2 3h4l2-3h5M5 5h14l2 8v6H3v-6z",
  unassigned: "M11 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM3 21c1-4 4-6 8-6M18 14v7M14.5 17.5h7",
  all: "M8 6h13M8 12h13M8 18h13M3.5 6h.01M3.5 12h.01M3.5 18h.01",
  contacts: "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21c0-4 3-6 7-6s7 2 7 6M16 3.5a4 4 0 0 1 0 7.5M18 15c2.5.6 4 2.6 4 6",
  operators: "M4 15v-3a8 8 0 0 1 16 0v3M4 14h3v6H4zM17 14h3v6h-3z",
  bell: "M6 16v-5a6 6 0 0 1 12 0v5l2 2H4zM10 21h4",
  settings: "M4 6h9M17 6h3M4 12h3M11 12h9M4 18h12M15 4v4M9 10v4M16 16v4",
  help: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7v.5M12 17h.01",
  clip: "M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7",
  back: "M15 5l-7 7 7 7",
  webchat: "M4 5h16v11H9l-5 4z",
  email: "M3 6h18v12H3zM3 7l9 6 9-6",
  telegram: "M21 4L3 11l6 2 2 6 3-4 5 4z",
  whatsapp: "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2",
  sms: "M4 4h16v12H8l-4 4zM8 9h8M8 12h5",
  messenger: "M13 2L4 14h7l-1 8 9-12h-7z",
  webhook: "M4 8h15l-4-4M20 16H5l4 4",
  other: "M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
};

const ns = "http://www.w3.org/2000/svg";

// icon returns an <svg> drawing name, hidden from screen readers (the
// element that holds it carries the label).
export function icon(name, cls = "icon") {
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", cls);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", paths[name] || paths.other);
  svg.appendChild(p);
  return svg;
}

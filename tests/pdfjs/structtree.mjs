// Prints the structure tree pdf.js (pdfjs-dist, pinned in package.json)
// reads from each page of a PDF: one line per element, indented by depth,
// with its role, its alternate text (pdf.js's alt: the element's /Alt, else
// its /ActualText) as a JSON string when it has one, and the number of
// marked-content kids it has on that page.
//   node structtree.mjs FILE.pdf
import { readFileSync } from "node:fs";

// pdf.js warns on the console that it cannot render without a canvas
// package; only the structure is read here, and stdout is the result.
console.log = console.warn = () => {};
const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");

const data = new Uint8Array(readFileSync(process.argv[2]));
const doc = await getDocument({ data, verbosity: 0, isEvalSupported: false }).promise;
const out = [];
function walk(node, depth) {
  const kids = node.children || [];
  const mc = kids.filter((k) => k.type === "content").length;
  let line = "  ".repeat(depth) + node.role;
  if (node.alt) line += " alt=" + JSON.stringify(node.alt);
  if (mc) line += " mc=" + mc;
  out.push(line);
  for (const k of kids) if (k.role) walk(k, depth + 1);
}
for (let p = 1; p <= doc.numPages; p++) {
  const page = await doc.getPage(p);
  const tree = await page.getStructTree();
  out.push("page " + p);
  if (tree) for (const k of tree.children || []) if (k.role) walk(k, 1);
}
process.stdout.write(out.join("\n") + "\n");

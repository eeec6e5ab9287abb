import { Parser, jaModel } from 'budoux';

/**
 * Japanese line breaking where readers expect it. Japanese has no spaces, so a browser may break a line
 * between any two characters (東京都 千代田／区); BudouX (Google's phrase segmenter, its Japanese model)
 * finds the phrase boundaries, a `<wbr>` goes at each, and `word-break: keep-all` (app.css) forbids every
 * other break. English text is left as it is.
 */
const parser = new Parser(jaModel);
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]/;

/** Phrases of a Japanese string (BudouX); the string itself when it has no Japanese. */
export function phrasesOf(text: string): string[] {
  return JAPANESE.test(text) ? parser.parse(text) : [text];
}

/** Puts a break opportunity between the phrases of every Japanese text under `root` (idempotent). */
export function applyPhraseBreaks(root: Node): void {
  const walker = root.ownerDocument?.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  if (!walker) return;
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) if (n instanceof Text) texts.push(n);
  for (const t of texts) {
    const parts = phrasesOf(t.data);
    if (parts.length < 2 || t.parentNode === null) continue;
    const frag = document.createDocumentFragment();
    parts.forEach((part, i) => {
      if (i > 0) frag.append(document.createElement('wbr'));
      frag.append(part);
    });
    t.parentNode.replaceChild(frag, t);
  }
}

/** The ranked results list. */

import type { Passage } from './corpus.js';
import { PALETTE } from './plot.js';
import type { Hit } from './search.js';

/** Render hits into an `<ol>`: rank, score (with a bar), topic and language tags, text. */
export function renderResults(list: HTMLOListElement, hits: Hit[], passages: Passage[], topics: string[]): void {
  list.replaceChildren(...hits.map(({ index, score }) => {
    const p = passages[index];
    const li = document.createElement('li');
    li.dataset.index = String(index);
    li.dataset.score = score.toFixed(4);
    const meta = document.createElement('div');
    meta.className = 'meta';
    const scoreEl = document.createElement('span');
    scoreEl.className = 'score';
    scoreEl.textContent = score.toFixed(3);
    const bar = document.createElement('span');
    bar.className = 'score-bar';
    bar.style.setProperty('--w', `${Math.max(0, score) * 100}%`);
    const topic = document.createElement('span');
    topic.className = 'tag';
    topic.textContent = p.topic;
    topic.style.setProperty('--c', PALETTE[topics.indexOf(p.topic) % PALETTE.length]);
    const lang = document.createElement('span');
    lang.className = 'tag lang';
    lang.textContent = p.lang;
    meta.append(scoreEl, bar, topic, lang);
    const text = document.createElement('p');
    text.textContent = p.text;
    if (p.lang !== 'en') text.lang = p.lang;
    li.append(meta, text);
    return li;
  }));
}

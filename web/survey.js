// survey.js — the satisfaction survey behind a one-time link: a score
// from 1 to 5 and an optional comment, sent once.
import { api, $ } from './common.js';

const token = new URLSearchParams(location.search).get('t') || '';
for (const b of document.querySelectorAll('#scores button')) {
  b.onclick = async () => {
    $('#error').textContent = '';
    try {
      await api('/api/v1/surveys', { method: 'POST', body: { token, score: Number(b.dataset.score), comment: $('#comment').value } });
      $('#ask').classList.add('hidden');
      $('#thanks').classList.remove('hidden');
    } catch (e) {
      $('#error').textContent = e.message;
    }
  };
}

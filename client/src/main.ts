/** Entry point: the landing page at /, a board at /b/<boardId>. */
import { mountBoard } from './board-page.ts';
import { mountLanding } from './landing.ts';

const app = document.getElementById('app')!;
const match = /^\/b\/([^/]+)\/?$/.exec(location.pathname);
if (match) {
  document.body.classList.add('on-board');
  void mountBoard(app, decodeURIComponent(match[1]!));
} else {
  mountLanding(app);
}

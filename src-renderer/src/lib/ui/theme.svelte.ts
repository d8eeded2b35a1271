/** Light or dark, following the OS (prefers-color-scheme), live. */
class Theme {
  dark = $state(false);

  constructor() {
    if (typeof matchMedia !== 'function') return;
    const mq = matchMedia('(prefers-color-scheme: dark)');
    this.dark = mq.matches;
    mq.addEventListener?.('change', (e) => (this.dark = e.matches));
  }
}

export const theme = new Theme();

// How the project starts Debian's Chromium: its path, and the flags that keep a headless run
// from reaching out to the network (this machine allows none of it) or needing a GPU.

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

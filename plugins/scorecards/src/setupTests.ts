import '@testing-library/jest-dom';

// jsdom lays nothing out, so it has no ResizeObserver; the charts' containers only need it to
// exist.
class NoLayoutResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
if (!('ResizeObserver' in window)) {
  Object.assign(window, { ResizeObserver: NoLayoutResizeObserver });
}

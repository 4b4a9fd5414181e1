/** The call UI's styles (call-view.ts), appended to the widget's stylesheet in its shadow root. */
export const CALL_STYLES = `
.call-start-buttons { display: inline-flex; gap: 4px; }
.call-start-buttons .icon { width: 32px; height: 32px; border-radius: 50%; }
.call-start-buttons.in-call { display: none; }
.call-area:empty { display: none; }
.call-banner { margin: 10px 12px 0; padding: 10px 12px; border-radius: 12px; display: flex; flex-wrap: wrap;
  align-items: center; gap: 8px 12px; background: color-mix(in srgb, var(--ok) 12%, var(--bg));
  border: 1px solid color-mix(in srgb, var(--ok) 40%, var(--bg)); font-size: 13px; }
.call-banner-text { display: flex; align-items: center; gap: 8px; flex: 1 1 180px; min-width: 0; }
.call-banner-text svg { width: 20px; height: 20px; fill: var(--ok); flex: none; }
.call-banner[data-kind="incoming"] .call-banner-text svg { animation: ring 1.2s ease-in-out infinite; }
@keyframes ring { 0%, 60%, 100% { transform: rotate(0); } 10%, 30%, 50% { transform: rotate(-14deg); } 20%, 40% { transform: rotate(14deg); } }
@media (prefers-reduced-motion: reduce) { .call-banner svg { animation: none !important; } }
.call-banner-actions { display: flex; gap: 6px; flex-wrap: wrap; }
.call-accept, .call-accept-video { background: var(--ok); border-color: var(--ok); color: #fff; }
.call-decline { background: var(--bad); border-color: var(--bad); color: #fff; }
.call-stage { margin: 10px 12px 0; border-radius: 14px; background: #0f1115; color: #eef1f5; padding: 8px;
  display: flex; flex-direction: column; gap: 8px; flex: 0 0 auto; }
.call-status { font-size: 12px; color: #b9c0cc; padding: 0 4px; }
.call-tiles { position: relative; display: grid; gap: 6px; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); }
/* A shared screen leads; the cameras become a strip of thumbnails under it. */
.call-tiles[data-screen="true"] { grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); }
.call-tiles[data-screen="true"] .tile[data-kind="screen"] { order: -1; }
.call-tiles[data-screen="true"] .tile[data-kind="camera"][data-self="false"] { aspect-ratio: 16 / 10; min-height: 0; }
.tile { position: relative; margin: 0; border-radius: 10px; overflow: hidden; background: #1d212a; aspect-ratio: 4 / 3;
  min-height: 96px; }
.tile[data-kind="screen"] { grid-column: 1 / -1; aspect-ratio: 16 / 9; background: #000; }
.tile[data-kind="camera"][data-video="false"] { aspect-ratio: 16 / 9; }
.tile video { width: 100%; height: 100%; object-fit: cover; display: block; }
.tile[data-kind="screen"] video { object-fit: contain; }
.tile[data-video="false"] video { visibility: hidden; }
.tile-avatar { position: absolute; left: 50%; top: 45%; transform: translate(-50%, -50%); width: 56px; height: 56px;
  border-radius: 50%; background: #3d6df0; display: flex; align-items: center; justify-content: center; }
.tile-avatar svg { width: 60%; height: 60%; fill: #fff; }
.tile[data-video="true"] .tile-avatar { display: none; }
.tile figcaption { position: absolute; left: 6px; right: 6px; bottom: 6px; display: flex; align-items: center; gap: 6px;
  font-size: 12px; line-height: 1.2; }
.tile-name { background: rgba(0, 0, 0, 0.55); border-radius: 6px; padding: 2px 6px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; min-width: 0; }
.tile-status { background: rgba(0, 0, 0, 0.55); border-radius: 6px; padding: 2px 6px; color: #ffd27a; }
.tile-status:empty { display: none; }
.tile-flags { display: inline-flex; gap: 4px; }
.tile-flags .flag { display: inline-flex; width: 20px; height: 20px; border-radius: 50%; align-items: center; justify-content: center;
  background: var(--bad); }
.tile-flags svg { width: 13px; height: 13px; fill: #fff; }
.tile[data-self="true"] { position: absolute; right: 6px; top: 6px; width: 28%; min-width: 84px; max-width: 150px; min-height: 0;
  z-index: 2; box-shadow: 0 2px 10px rgba(0, 0, 0, 0.5); border: 1px solid rgba(255, 255, 255, 0.25); }
.call-tiles[data-count="0"] .tile[data-self="true"] { position: relative; right: auto; top: auto; width: auto; max-width: none; }
.tile[data-self="true"] video { transform: scaleX(-1); }
.tile[data-self="true"] .tile-avatar { width: 32px; height: 32px; }
.call-tiles[data-screen="true"] .tile[data-kind="camera"] .tile-avatar { width: 36px; height: 36px; }
.call-controls { display: flex; justify-content: center; gap: 8px; flex-wrap: wrap; }
.call-controls .icon { width: 42px; height: 42px; border-radius: 50%; background: #2a2f3a; border-color: #2a2f3a; color: #eef1f5; }
.call-controls .icon svg { width: 20px; height: 20px; }
.ctl-mute[aria-pressed="true"], .ctl-deafen[aria-pressed="true"], .ctl-camera[aria-pressed="false"] { background: #eef1f5; color: #15171c;
  border-color: #eef1f5; }
.ctl-deafen[aria-pressed="true"] svg { opacity: 0.6; }
.ctl-screen[aria-pressed="true"] { background: var(--accent); border-color: var(--accent); }
.call-hangup { background: #d92d20 !important; border-color: #d92d20 !important; }
.call-hangup svg { fill: #fff; }
.call-privacy { margin-top: 8px; display: flex; flex-direction: column; gap: 2px; }
.call-privacy label { display: flex; align-items: center; gap: 6px; font-weight: 600; }
.call-privacy-hint { color: var(--muted); font-size: 12px; }
.call-privacy input:disabled + * { opacity: 0.6; }
@media (max-width: 380px) {
  .heading { flex-basis: 96px; }
  .call-start-buttons .icon { width: 30px; height: 30px; }
  .call-stage { margin: 8px 8px 0; padding: 6px; }
  .call-tiles:not([data-screen="true"]) { grid-template-columns: 1fr; }
  .call-controls .icon { width: 38px; height: 38px; }
  .call-banner { margin: 8px 8px 0; }
}
`;

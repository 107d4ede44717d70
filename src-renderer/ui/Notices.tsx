/** Short messages (a copied reference, a failed action) in a corner; errors stay until dismissed. */
import { useEffect } from 'react';
import { useDeckhand } from '../store/index.ts';

export function Notices() {
  const notices = useDeckhand((s) => s.notices);
  const dismiss = useDeckhand((s) => s.dismissNotice);
  useEffect(() => {
    const timers = notices.filter((n) => n.kind === 'info').map((n) => setTimeout(() => dismiss(n.id), 4000));
    return () => timers.forEach(clearTimeout);
  }, [notices, dismiss]);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
          <span>{n.text}</span>
          <button type="button" className="icon" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

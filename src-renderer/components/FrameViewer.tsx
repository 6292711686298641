// A finished frame at full size, with a link that saves its PNG. Escape or the close button shut it.
import { useEffect, useMemo, useRef } from 'react';
import { bytesOfBase64 } from '../base64.js';
import { frameFileName } from '../format.js';
import { Icon } from './Icon.js';

/** Frames narrower than this are enlarged with crisp pixels rather than blurred. */
const SMALL_FRAME_PX = 640;

export function FrameViewer({
  title,
  frame,
  width,
  height,
  png,
  onClose,
}: {
  title: string;
  frame: number;
  width: number;
  height: number;
  png: string;
  onClose: () => void;
}) {
  const close = useRef<HTMLButtonElement>(null);
  const blobUrl = useMemo(() => URL.createObjectURL(new Blob([bytesOfBase64(png)], { type: 'image/png' })), [png]);
  useEffect(() => () => URL.revokeObjectURL(blobUrl), [blobUrl]);
  useEffect(() => {
    close.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <div className="overlay" onClick={onClose}>
      <div
        className="viewer"
        role="dialog"
        aria-modal="true"
        aria-label={`${title}, frame ${frame}`}
        data-testid="frame-viewer"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="viewer-header">
          <div>
            <div className="viewer-title">Frame {frame}</div>
            <div className="muted small">
              {title} · {width}×{height}
            </div>
          </div>
          <div className="viewer-actions">
            <a
              className="button button-primary"
              href={blobUrl}
              download={frameFileName(frame)}
              data-testid="save-frame"
            >
              <Icon name="download" /> Save PNG
            </a>
            <button type="button" className="icon-button" onClick={onClose} ref={close} aria-label="Close">
              <Icon name="close" />
            </button>
          </div>
        </div>
        <div className="viewer-image">
          <img
            className={width < SMALL_FRAME_PX ? 'is-small' : ''}
            src={`data:image/png;base64,${png}`}
            alt={`Frame ${frame} of ${title}`}
          />
        </div>
      </div>
    </div>
  );
}

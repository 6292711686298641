// One frame of a render job as it fills in: the verified tiles where they belong, then the
// finished frame; or of a Blender job, a frame a unit: its state (waiting, rendering), then the
// verified frame; or of a tiled Blender job, its tiles verified and rendering, then the stitched
// frame. The canvas is the frame's size; CSS scales it to the card.
import { useEffect, useRef } from 'react';
import { frameShare } from '../kinds/blender/blender-frames.js';
import type { FrameMosaic } from '../store/types.js';

export function TileMosaic({
  jobId,
  width,
  height,
  frame,
  onOpen,
}: {
  jobId: string;
  width: number;
  height: number;
  frame: FrameMosaic;
  /** Shows the finished frame in the viewer. */
  onOpen: () => void;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return undefined;
    if (frame.png) {
      const image = new Image();
      const onLoad = () => {
        context.clearRect(0, 0, width, height);
        context.drawImage(image, 0, 0);
      };
      image.addEventListener('load', onLoad);
      image.src = `data:image/png;base64,${frame.png}`;
      return () => image.removeEventListener('load', onLoad);
    }
    context.clearRect(0, 0, width, height);
    if (frame.pixels) context.putImageData(new ImageData(frame.pixels, width, height), 0, 0);
    return undefined;
    // oxlint-disable-next-line react/exhaustive-effect-dependencies -- frame.version is how a tile painted into the same pixels shows
  }, [frame.version, frame.png, frame.pixels, width, height]);

  const done = frame.png !== null;
  const pct = Math.round(frameShare(frame) * 100);
  return (
    <figure className={`mosaic ${done ? 'mosaic-done' : ''}`}>
      <button
        type="button"
        className="mosaic-open"
        onClick={onOpen}
        disabled={!done}
        data-testid={`open-frame-${jobId}-${frame.frame}`}
        aria-label={`Open frame ${frame.frame}`}
      >
        <canvas
          ref={canvas}
          width={width}
          height={height}
          className="mosaic-canvas"
          data-testid={`mosaic-${jobId}-${frame.frame}`}
          data-tiles-done={frame.tilesDone}
          data-tiles-total={frame.tilesTotal}
          data-state={done ? 'done' : frame.state}
        />
      </button>
      <figcaption className="mosaic-caption">
        <span>Frame {frame.frame}</span>
        <span className="muted">{done ? 'done' : (frame.state ?? `${frame.tilesDone}/${frame.tilesTotal} tiles`)}</span>
      </figcaption>
      <div className="progress progress-thin" aria-hidden="true">
        <div className="progress-bar" style={{ width: `${pct}%` }} />
      </div>
    </figure>
  );
}

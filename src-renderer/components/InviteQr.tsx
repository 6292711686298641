// The invite code as a QR code, for a friend to scan from the screen with a phone and paste into
// their app. Drawn as one SVG path from the code's module matrix (no canvas, no images: the CSP
// stays as it is), dark on a light quiet zone so a scanner reads it in either colour scheme.
import { create } from 'qrcode';

/** Modules of light margin around the symbol, as the QR standard asks. */
const QUIET_ZONE = 4;

/** The SVG path of the dark modules, one 1×1 square each, offset by the quiet zone. */
function modulesPath(text: string): { path: string; size: number } {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const squares: string[] = [];
  for (let row = 0; row < modules.size; row++)
    for (let col = 0; col < modules.size; col++)
      if (modules.get(row, col)) squares.push(`M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`);
  return { path: squares.join(''), size: modules.size + 2 * QUIET_ZONE };
}

export function InviteQr({ text }: { text: string }) {
  const { path, size } = modulesPath(text);
  return (
    <svg
      className="invite-qr"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label="The invite code as a QR code"
      data-testid="invite-qr"
      shapeRendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}

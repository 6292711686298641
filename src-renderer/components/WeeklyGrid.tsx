// The week as a grid of hours to paint: press on a cell, drag over others, release — the rectangle
// becomes one weekly window. Pressing on a painted cell erases instead. From the keyboard: the
// arrow keys move between cells, Space or Enter paints or erases the focused hour.
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import {
  DAY_NAMES,
  HOURS,
  rectBetween,
  rectContains,
  ROW_DAYS,
  type Cell,
  type GridRect,
} from '../availability/grid-model.js';

interface Drag {
  anchor: Cell;
  current: Cell;
  erase: boolean;
}

export function WeeklyGrid({
  painted,
  onPaint,
  onErase,
  busy,
}: {
  /** painted[day][hour], day 0 = Sunday. */
  painted: boolean[][];
  onPaint: (rect: GridRect) => void;
  onErase: (rect: GridRect) => void;
  busy?: boolean;
}) {
  const [drag, setDrag] = useState<Drag | null>(null);
  const [focus, setFocus] = useState<Cell>({ day: 1, hour: 9 });
  const cells = useRef(new Map<string, HTMLDivElement>());
  const isPainted = (c: Cell) => painted[c.day]?.[c.hour] ?? false;

  // The drag ends wherever the button is let go, inside the grid or not.
  const dragRef = useRef(drag);
  useLayoutEffect(() => {
    dragRef.current = drag;
  });
  useEffect(() => {
    const onUp = () => {
      const d = dragRef.current;
      if (!d) return;
      setDrag(null);
      const rect = rectBetween(d.anchor, d.current);
      if (d.erase) onErase(rect);
      else onPaint(rect);
    };
    window.addEventListener('mouseup', onUp);
    return () => window.removeEventListener('mouseup', onUp);
  }, [onPaint, onErase]);

  const moveFocus = (cell: Cell) => {
    setFocus(cell);
    cells.current.get(`${cell.day}-${cell.hour}`)?.focus();
  };
  const onKeyDown = (e: KeyboardEvent, cell: Cell) => {
    const row = ROW_DAYS.indexOf(cell.day);
    const moves: Record<string, Cell> = {
      ArrowLeft: { day: cell.day, hour: Math.max(0, cell.hour - 1) },
      ArrowRight: { day: cell.day, hour: Math.min(HOURS - 1, cell.hour + 1) },
      ArrowUp: { day: ROW_DAYS[Math.max(0, row - 1)]!, hour: cell.hour },
      ArrowDown: { day: ROW_DAYS[Math.min(ROW_DAYS.length - 1, row + 1)]!, hour: cell.hour },
      Home: { day: cell.day, hour: 0 },
      End: { day: cell.day, hour: HOURS - 1 },
    };
    const target = moves[e.key];
    if (target) {
      e.preventDefault();
      moveFocus(target);
    } else if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      const rect = { days: [cell.day], fromHour: cell.hour, toHour: cell.hour };
      if (isPainted(cell)) onErase(rect);
      else onPaint(rect);
    }
  };

  const preview = drag && rectBetween(drag.anchor, drag.current);
  return (
    <div
      className={`week-grid ${busy ? 'is-busy' : ''}`}
      role="grid"
      aria-label="Weekly availability, one cell per hour"
    >
      <div className="week-row week-head" role="row">
        <div className="week-day" />
        {Array.from({ length: HOURS }, (_, hour) => (
          <div className="week-hour-label" role="columnheader" key={hour}>
            {hour % 3 === 0 ? String(hour).padStart(2, '0') : ''}
          </div>
        ))}
      </div>
      {ROW_DAYS.map((day) => (
        <div className="week-row" role="row" key={day}>
          <div className="week-day" role="rowheader">
            {DAY_NAMES[day]!.slice(0, 3)}
          </div>
          {Array.from({ length: HOURS }, (_, hour) => {
            const cell = { day, hour };
            const on = isPainted(cell);
            const inPreview = preview !== null && rectContains(preview, cell);
            const classes = [
              'week-cell',
              on ? 'is-painted' : '',
              inPreview ? (drag!.erase ? 'is-erasing' : 'is-painting') : '',
            ].join(' ');
            return (
              <div
                key={hour}
                ref={(el) => {
                  if (el) cells.current.set(`${day}-${hour}`, el);
                  else cells.current.delete(`${day}-${hour}`);
                }}
                className={classes}
                role="gridcell"
                aria-selected={on}
                aria-label={`${DAY_NAMES[day]} ${String(hour).padStart(2, '0')}:00–${String((hour + 1) % 24).padStart(2, '0')}:00, ${on ? 'shared' : 'not shared'}`}
                tabIndex={focus.day === day && focus.hour === hour ? 0 : -1}
                data-testid={`slot-cell-${day}-${hour}`}
                data-painted={on ? 'true' : 'false'}
                onMouseDown={(e) => {
                  if (e.button !== 0) return;
                  e.preventDefault();
                  setFocus(cell);
                  setDrag({ anchor: cell, current: cell, erase: on });
                }}
                onMouseEnter={() => setDrag((d) => (d ? { ...d, current: cell } : d))}
                onFocus={() => setFocus(cell)}
                onKeyDown={(e) => onKeyDown(e, cell)}
              />
            );
          })}
        </div>
      ))}
    </div>
  );
}

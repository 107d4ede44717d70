/**
 * Makes an element a drop target for image rows (IMAGE_DRAG_TYPE): it accepts such drags, is
 * highlighted while one hovers, and hands the dropped image name to `onDrop`. Other drags (files,
 * text) pass through untouched, so the window's archive drop still sees them.
 */
import { useState, type DragEvent } from 'react';
import { IMAGE_DRAG_TYPE } from '../../ui/dnd.ts';

const carriesImage = (e: DragEvent) => Array.from(e.dataTransfer.types).includes(IMAGE_DRAG_TYPE);

export function useImageDrop(onDrop: (imageName: string) => void) {
  const [over, setOver] = useState(false);
  const handlers = {
    onDragEnter: (e: DragEvent) => {
      if (!carriesImage(e)) return;
      e.preventDefault();
      setOver(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!carriesImage(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      if (!over) setOver(true);
    },
    onDragLeave: (e: DragEvent) => {
      // Moving onto a child is not leaving.
      if (e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget)) return;
      setOver(false);
    },
    onDrop: (e: DragEvent) => {
      if (!carriesImage(e)) return;
      e.preventDefault();
      e.stopPropagation();
      setOver(false);
      const name = e.dataTransfer.getData(IMAGE_DRAG_TYPE);
      if (name) onDrop(name);
    },
  };
  return { over, handlers };
}

/**
 * Makes an element a drop target for image rows (IMAGE_DRAG_TYPE): it accepts such drags, is
 * highlighted while one hovers, and hands the dropped image name and its source (`store` or an
 * engine's name) to `onDrop`. `accepts` narrows it by the drag's types (This store takes only
 * engines' images). Other drags (files, text) pass through untouched, so the window's archive drop
 * still sees them.
 */
import { useState, type DragEvent } from 'react';
import { droppedImage, IMAGE_DRAG_TYPE } from '../../ui/dnd.ts';

export function useImageDrop(onDrop: (imageName: string, source: string) => void, accepts: (types: string[]) => boolean = () => true) {
  const carriesImage = (e: DragEvent) => {
    const types = Array.from(e.dataTransfer.types);
    return types.includes(IMAGE_DRAG_TYPE) && accepts(types);
  };
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
      const image = droppedImage(e.dataTransfer);
      if (image) onDrop(image.name, image.source);
    },
  };
  return { over, handlers };
}

/**
 * Drag and drop between views: an image row carries its name under IMAGE_DRAG_TYPE and the source
 * it is in (`store` or an engine's name) under IMAGE_SOURCE_DRAG_TYPE. A row from an engine also
 * carries ENGINE_IMAGE_DRAG_TYPE (empty), so a drop target can tell during the drag, when only the
 * types can be read, whether it would take it ("This store" takes only engines' images).
 */
export const IMAGE_DRAG_TYPE = 'application/x-deckhand-image';
export const IMAGE_SOURCE_DRAG_TYPE = 'application/x-deckhand-image-source';
export const ENGINE_IMAGE_DRAG_TYPE = 'application/x-deckhand-engine-image';

/** What a dropped image row says about itself. */
export interface DraggedImage {
  name: string;
  /** `store`, or the engine's name. */
  source: string;
}

/** Puts an image row on a drag. */
export function setImageDrag(dt: DataTransfer, image: DraggedImage, text: string): void {
  dt.setData(IMAGE_DRAG_TYPE, image.name);
  dt.setData(IMAGE_SOURCE_DRAG_TYPE, image.source);
  if (image.source !== 'store') dt.setData(ENGINE_IMAGE_DRAG_TYPE, '');
  dt.setData('text/plain', text);
  dt.effectAllowed = 'copy';
}

/** The image row a drop carries, or null. Rows from before sources carried no source: the store's. */
export function droppedImage(dt: DataTransfer): DraggedImage | null {
  const name = dt.getData(IMAGE_DRAG_TYPE);
  if (!name) return null;
  return { name, source: dt.getData(IMAGE_SOURCE_DRAG_TYPE) || 'store' };
}

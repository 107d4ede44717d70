/** Drag and drop between views: an image row carries its stored name under this type. */
export const IMAGE_DRAG_TYPE = 'application/x-deckhand-image';

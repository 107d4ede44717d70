/** The host's platform for the table's cells (emulation warnings), provided once by the Images view. */
import { createContext, useContext } from 'react';

export const HostPlatform = createContext<string | null>(null);
export const useHostPlatform = (): string | null => useContext(HostPlatform);

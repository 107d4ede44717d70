import { useEffect, useReducer } from 'react';
import { api } from '../../api/client.ts';
import { reduceTransfers, type TransferView } from './model.ts';

/** Every transfer this page has heard of, newest first, kept current from the contract's events. */
export function useTransfers(): TransferView[] {
  const [list, dispatch] = useReducer(reduceTransfers, []);
  useEffect(() => {
    const offs = [
      api().on('transferStarted', (payload) => dispatch({ event: 'transferStarted', payload })),
      api().on('transferProgress', (payload) => dispatch({ event: 'transferProgress', payload })),
      api().on('transferEnded', (payload) => dispatch({ event: 'transferEnded', payload })),
    ];
    return () => offs.forEach((off) => off());
  }, []);
  return list;
}

import { useState } from 'react';

/**
 * The campaign a console page shows: the one the operator picked, else the demo, else the first.
 * The default is derived on every render, never written into state by an effect, so a pick made
 * the moment the list arrives (before an effect would have run) is never overwritten by the default.
 */
export function useCampaignChoice(campaigns: readonly { id: string }[]): [string, (id: string) => void] {
  const [picked, setPicked] = useState('');
  const id = picked || (campaigns.find((c) => c.id === 'demo') ?? campaigns[0])?.id || '';
  return [id, setPicked];
}

/** The one open dialog, chosen by the ui slice; each feature owns its dialog. */
import { useDeckhand } from './store/index.ts';
import { PullDialog } from './features/transfers/PullDialog.tsx';
import { PushDialog } from './features/registries/PushDialog.tsx';
import { LoginDialog } from './features/registries/LoginDialog.tsx';
import { RegistryDetailsDialog } from './features/registries/RegistryDetailsDialog.tsx';
import { TagDialog } from './features/images/TagDialog.tsx';
import { SaveDialog } from './features/images/SaveDialog.tsx';
import { RemoveDialog } from './features/images/RemoveDialog.tsx';
import { CombineDialog } from './features/images/CombineDialog.tsx';
import { PruneDialog } from './features/prune/PruneDialog.tsx';

export function Dialogs() {
  const dialog = useDeckhand((s) => s.dialog);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'pull':
      return <PullDialog initialRef={dialog.ref ?? ''} />;
    case 'push':
      return (
        <PushDialog
          source={dialog.source}
          registry={dialog.registry}
          repository={dialog.repository ?? null}
          sourceEngine={dialog.sourceEngine ?? null}
        />
      );
    case 'tag':
      return <TagDialog source={dialog.source} />;
    case 'save':
      return <SaveDialog refs={dialog.refs} />;
    case 'remove':
      return <RemoveDialog refs={dialog.refs} />;
    case 'combine':
      return <CombineDialog refs={dialog.refs} />;
    case 'prune':
      return <PruneDialog />;
    case 'login':
      return <LoginDialog registry={dialog.registry} />;
    case 'registry':
      return <RegistryDetailsDialog host={dialog.host} />;
  }
}

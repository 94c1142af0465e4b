'use client';

// After a delete the app page sends the browser to /apps?deleted=<name>: the list says so once,
// then drops the parameter from the address so a reload or a shared link does not say it again.
import { useEffect } from 'react';

export function DeletedNotice({ appName }: { appName: string }) {
  useEffect(() => {
    const url = new URL(window.location.href);
    url.searchParams.delete('deleted');
    window.history.replaceState(null, '', url);
  }, []);
  return (
    <p className="notice" role="status" data-testid="deleted-notice">
      {appName} was deleted.
    </p>
  );
}

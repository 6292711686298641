// The page is kept in the URL's hash (#/jobs), so a reload stays on it. Started only after the
// token was taken out of the hash (api/http-transport.ts takeToken).
import { useEffect, useState } from 'react';

const PAGES = ['dashboard', 'availability', 'peers', 'circles', 'jobs', 'earnings', 'settings', 'logs'] as const;
export type PageName = (typeof PAGES)[number];

export function pageOfHash(hash: string): PageName {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return (PAGES as readonly string[]).includes(name ?? '') ? (name as PageName) : 'dashboard';
}

export function useHashPage(): PageName {
  const [page, setPage] = useState(() => pageOfHash(location.hash));
  useEffect(() => {
    const onChange = () => setPage(pageOfHash(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return page;
}

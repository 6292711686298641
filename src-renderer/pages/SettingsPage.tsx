// This node's identity and addresses, the sharing settings, rendering Blender scenes for peers
// (and whether Blender and its sandbox are here), and the desktop app's own setting.
import { useEffect, useState } from 'react';
import { useActions, useMesh } from '../app/store-context.js';
import { Card, Facts, PageHeader } from '../components/basics.js';
import { CopyText } from '../components/CopyText.js';
import { SharingSettingsCard } from '../components/SharingSettingsCard.js';
import { BlenderSettingsCard } from '../components/BlenderSettingsCard.js';
import { Switch } from '../components/Switch.js';
import type { DesktopBridge } from '../../src-preload/bridge.js';

export function SettingsPage() {
  const status = useMesh((s) => s.status)!;
  const settings = useMesh((s) => s.settings);
  const desktop = useMesh((s) => s.desktop);
  const blender = useMesh((s) => s.blender);
  const { updateSettings, checkBlender, reportError } = useActions();
  useEffect(() => {
    checkBlender().catch(reportError);
  }, [checkBlender, reportError]);

  return (
    <div className="page" data-testid="page-settings">
      <PageHeader title="Settings" />
      <Card title="This node">
        <Facts
          rows={[
            ['Name', status.name],
            ['Peer id', <CopyText key="peer-id" text={status.peer_id} />],
            [
              'Listening on',
              status.listen.length === 0 ? (
                'not listening'
              ) : (
                <ul key="listen" className="plain-list">
                  {status.listen.map((address) => (
                    <li key={address} className="mono small wrap">
                      {address}
                    </li>
                  ))}
                </ul>
              ),
            ],
            ['Local discovery', status.mdns ? 'On: nodes on this network find each other (mDNS)' : 'Off'],
            ['Running since', new Date(status.started_at).toLocaleString()],
            ['Workers', `${status.workers} (threads that run units for others)`],
          ]}
        />
      </Card>
      {settings && (
        <SharingSettingsCard
          settings={settings}
          threads={status.hardware?.cpu.threads ?? null}
          onChange={updateSettings}
        />
      )}
      {settings && (
        <BlenderSettingsCard settings={settings} status={status.blender} check={blender} onChange={updateSettings} />
      )}
      {desktop && <DesktopCard desktop={desktop} />}
    </div>
  );
}

function DesktopCard({ desktop }: { desktop: DesktopBridge }) {
  const { reportError } = useActions();
  const [openAtLogin, setOpenAtLogin] = useState<boolean | null>(null);
  useEffect(() => {
    desktop.getOpenAtLogin().then(setOpenAtLogin, reportError);
  }, [desktop, reportError]);
  const change = (on: boolean) => {
    desktop.setOpenAtLogin(on).then(setOpenAtLogin, reportError);
  };
  return (
    <Card title="Desktop app">
      <Switch
        label="Start Mesh Compute when I log in"
        description="It starts in the tray and shares by your schedule, without opening this window."
        checked={openAtLogin ?? false}
        disabled={openAtLogin === null}
        onChange={change}
        testId="open-at-login"
      />
    </Card>
  );
}

import { writeFileAtomic } from "../../fs/atomic.js";
import { editSections } from "./local-profile.js";
import type { NewDevice, NewKey, SecretPlaces } from "./trusted-side.js";

// Where the trusted side's secrets go the moment AWS returns them: the access key into the
// credentials file (the source profile, for `setup`) and/or the file named by --access-key-out
// (credentials format, so AWS_SHARED_CREDENTIALS_FILE=FILE works), the MFA seed into
// --mfa-seed-out. Each write is atomic and 0600.

export function secretPlaces(o: {
  /** The credentials file and section that will hold the key (setup's source profile). */
  credentials?: { path: string; profile: string };
  accessKeyOut?: { path: string; profile: string };
  seedOut?: string;
  personHoldsSeed: boolean;
}): SecretPlaces {
  const keyFiles = [o.credentials, o.accessKeyOut].filter((f) => f !== undefined);
  return {
    personHoldsSeed: o.personHoldsSeed,
    ...(keyFiles.length
      ? {
          storeKey: async (key: NewKey) => {
            const places: string[] = [];
            for (const f of keyFiles) {
              await editSections(
                f.path,
                [
                  {
                    section: f.profile,
                    values: {
                      aws_access_key_id: key.accessKeyId,
                      aws_secret_access_key: key.secretAccessKey,
                    },
                  },
                ],
                { mode: 0o600, enforceMode: true },
              );
              places.push(`[${f.profile}] in ${f.path}`);
            }
            return places.join(" and ");
          },
        }
      : {}),
    ...(o.seedOut
      ? {
          storeSeed: async (device: NewDevice) => {
            await writeFileAtomic(o.seedOut as string, `${device.seed}\n`, 0o600);
            return o.seedOut as string;
          },
        }
      : {}),
  };
}

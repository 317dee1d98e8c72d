/** Shared types of the dataset readers, feature preparation and the loader. */

/** Dataset layouts `clip-tts prepare` reads natively. */
export type DatasetFormat = 'ljspeech' | 'baker' | 'aishell3' | 'libritts' | 'esd' | 'csv';

/** Every supported format, in the order auto-detection tries them. */
export const DATASET_FORMATS: readonly DatasetFormat[] = ['baker', 'aishell3', 'esd', 'libritts', 'csv', 'ljspeech'];

/** Language of an utterance, as the text front-end knows it. */
export type DatasetLang = 'en' | 'zh';

/** One utterance as a reader found it (nothing read from the wav yet). */
export interface DatasetItem {
  /** Utterance id, unique within the dataset (e.g. "LJ001-0001", "SSB00050001"). */
  id: string;
  /** Text to speak. For English, the normalized transcript when the dataset has one. */
  text: string;
  /** Absolute path of the wav (it may not exist: preparation reports that). */
  wavPath: string;
  speaker?: string;
  emotion?: string;
  lang: DatasetLang;
  /** The dataset's own toned pinyin, one syllable per character (Baker, AISHELL-3). */
  pinyin?: string[];
  /** Baker character line with prosody marks, e.g. "卡尔普#2陪外孙#1玩滑梯#4。". */
  prosody?: string;
  /** Where the item came from, for error messages: "metadata.csv:12". */
  source: string;
}

/** Kinds of problems found in a dataset. */
export type IssueCode =
  | 'malformed-metadata' | 'duplicate-id' | 'missing-wav' | 'unreadable-wav' | 'empty-text' | 'phonemize-failed'
  | 'unknown-symbols' | 'too-short' | 'too-long' | 'low-sample-rate' | 'clipping' | 'silent' | 'internal-error';

/** One problem. Errors skip the item; warnings keep it. */
export interface DatasetIssue {
  code: IssueCode;
  severity: 'error' | 'warning';
  /** File (and line, as "file:line") the problem is in. */
  where: string;
  /** Utterance id, when the problem belongs to one. */
  id?: string;
  message: string;
}

/** What a reader returns: the items it could parse plus the lines it could not. */
export interface DatasetReadResult {
  format: DatasetFormat;
  /** Absolute dataset directory. */
  root: string;
  items: DatasetItem[];
  /** Malformed metadata (never thrown: the caller decides, see `--strict`). */
  issues: DatasetIssue[];
}

/** A dataset that cannot be read at all (no metadata file, unknown layout). */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

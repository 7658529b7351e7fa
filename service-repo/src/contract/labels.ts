/** The 17 competition tags in the fixed (alphabetical) order of the model contract. */
export const PLANET_LABELS = [
  'agriculture', 'artisinal_mine', 'bare_ground', 'blooming', 'blow_down', 'clear', 'cloudy',
  'conventional_mine', 'cultivation', 'habitation', 'haze', 'partly_cloudy', 'primary', 'road',
  'selective_logging', 'slash_burn', 'water',
] as const;

export const LABEL_COUNT = PLANET_LABELS.length;

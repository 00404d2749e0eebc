/**
 * What may be passed beside the journeys: message templates as `get-email-template`,
 * `get-sms-template` and `get-push-template` print them, and segments as `get-segment` prints
 * them (its dimensions become the audience's `where`). Shapes from the service model, strict.
 */
import * as z from 'zod';
import { segmentDimensionsSchema } from './model';

const str = z.string();
const templateMeta = {
  Arn: str.optional(),
  CreationDate: str.optional(),
  DefaultSubstitutions: str.optional(),
  LastModifiedDate: str.optional(),
  RecommenderId: str.optional(),
  TemplateDescription: str.optional(),
  TemplateName: str,
  TemplateType: z.enum(['EMAIL', 'SMS', 'VOICE', 'PUSH', 'INAPP']),
  Version: str.optional(),
  tags: z.record(str, str).optional(),
};

/** What get-email-template prints in EmailTemplateResponse. */
export const emailTemplateSchema = z
  .object({
    ...templateMeta,
    Headers: z.array(z.object({ Name: str.optional(), Value: str.optional() }).strict()).optional(),
    HtmlPart: str.optional(),
    Subject: str.optional(),
    TextPart: str.optional(),
  })
  .strict();

/** What get-sms-template prints in SMSTemplateResponse. */
export const smsTemplateSchema = z.object({ ...templateMeta, Body: str.optional() }).strict();

const pushAction = z.enum(['OPEN_APP', 'DEEP_LINK', 'URL']);
const pushCommon = {
  Action: pushAction.optional(),
  Body: str.optional(),
  Sound: str.optional(),
  Title: str.optional(),
  Url: str.optional(),
};
const androidPush = z
  .object({
    ...pushCommon,
    ImageIconUrl: str.optional(),
    ImageUrl: str.optional(),
    RawContent: str.optional(),
    SmallImageIconUrl: str.optional(),
  })
  .strict();
/** What get-push-template prints in PushNotificationTemplateResponse. */
export const pushTemplateSchema = z
  .object({
    ...templateMeta,
    ADM: androidPush.optional(),
    APNS: z
      .object({ ...pushCommon, MediaUrl: str.optional(), RawContent: str.optional() })
      .strict()
      .optional(),
    Baidu: androidPush.optional(),
    Default: z.object(pushCommon).strict().optional(),
    GCM: androidPush.optional(),
  })
  .strict();

export type EmailTemplate = z.infer<typeof emailTemplateSchema>;
export type SmsTemplate = z.infer<typeof smsTemplateSchema>;
export type PushTemplate = z.infer<typeof pushTemplateSchema>;

const groupType = z.enum(['ALL', 'ANY', 'NONE']);
/** What get-segment prints in SegmentResponse (and get-segments in each Item). */
export const segmentSchema = z
  .object({
    ApplicationId: str.optional(),
    Arn: str.optional(),
    CreationDate: str.optional(),
    Dimensions: segmentDimensionsSchema.optional(),
    Id: str,
    ImportDefinition: z
      .object({
        ChannelCounts: z.record(str, z.number()).optional(),
        ExternalId: str.optional(),
        Format: z.enum(['CSV', 'JSON']).optional(),
        RoleArn: str.optional(),
        S3Url: str.optional(),
        Size: z.number().optional(),
      })
      .strict()
      .optional(),
    LastModifiedDate: str.optional(),
    Name: str.optional(),
    SegmentGroups: z
      .object({
        Groups: z
          .array(
            z
              .object({
                Dimensions: z.array(segmentDimensionsSchema).optional(),
                SourceSegments: z.array(z.object({ Id: str, Version: z.number().optional() }).strict()).optional(),
                SourceType: groupType.optional(),
                Type: groupType.optional(),
              })
              .strict(),
          )
          .optional(),
        Include: groupType.optional(),
      })
      .strict()
      .optional(),
    SegmentType: z.enum(['DIMENSIONAL', 'IMPORT']).optional(),
    Version: z.number().optional(),
    tags: z.record(str, str).optional(),
  })
  .strict();

export type Segment = z.infer<typeof segmentSchema>;
